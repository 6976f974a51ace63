"""What the API refuses, as small exceptions the services raise; api/errors.py answers each, in the
app's shape or OpenAI's, by route.

Each carries a sentence for the person who sent the request and, for the OpenAI-compatible
routes, the request's parameter at fault (`param`); the status is the mapping's business.
"""

# What a lookup answers for an id that is not the user's, exactly as for one that does not exist.
CONVERSATION_NOT_FOUND = "Conversation not found"
MESSAGE_NOT_FOUND = "Message not found"
SIGN_IN_NOT_FOUND = "Session not found"
KEY_NOT_FOUND = "API key not found"
RESPONSE_NOT_FOUND = "Response not found"
FILE_NOT_FOUND = "File not found"
IMPORT_NOT_FOUND = "Import not found"
PRESET_NOT_FOUND = "Prompt not found"
FOLDER_NOT_FOUND = "Folder not found"


class Refusal(Exception):
    """A request refused, with a sentence to show, and the parameter at fault when one is."""

    # The `code` of OpenAI's error body on the `/v1` routes, where it has one of its own.
    openai_code: str | None = None

    def __init__(self, sentence: str, *, param: str | None = None) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.param = param


class NotSignedIn(Refusal):
    """No credential, or one that is no longer valid."""


class Forbidden(Refusal):
    """Signed in, but not allowed: another site's request, an admin's route, a refused account."""


class NotFound(Refusal):
    """What the request names does not exist, or is someone else's."""


class Conflict(Refusal):
    """The request conflicts with the current state. One that `clears` by itself (an answer still
    running) may be tried again; any other never will, and says so (`x-should-retry: false`, which
    the OpenAI SDKs read before retrying a 409)."""

    def __init__(self, sentence: str, *, param: str | None = None, clears: bool = False) -> None:
        super().__init__(sentence, param=param)
        self.clears = clears


class Invalid(Refusal):
    """The request is well-formed but asks for something that cannot be (an empty message)."""


class TooLarge(Refusal):
    """Too large: a body, a file, a message past its limit."""


class TooLongForModel(TooLarge):
    """More than the model's context window could take."""

    openai_code = "context_length_exceeded"


class TooSlow(Refusal):
    """The request's body did not arrive in time."""


class TooMany(Refusal):
    """Too many attempts or answers for now; try again after `retry_after` seconds."""

    def __init__(self, sentence: str, retry_after: int, *, param: str | None = None) -> None:
        super().__init__(sentence, param=param)
        self.retry_after = max(1, retry_after)
