"""A conversation's shared link: making it (a copy of the selected branch), whether it has one,
and ending it. What the link opens is api/routes/shared.py, open to anyone."""

from fastapi import APIRouter, HTTPException, Response, status

from api.deps import SessionDep
from api.lookups import ConversationDep
from api.routing import CheckedRoute
from api.share_schemas import ShareCreated, ShareState
from core import shares
from core.branch_walk import selected_leaf

router = APIRouter(route_class=CheckedRoute, prefix="/conversations", tags=["shares"])


@router.post("/{conversation_id}/share", status_code=status.HTTP_201_CREATED)
async def share_conversation(conversation: ConversationDep, session: SessionDep) -> ShareCreated:
    """A link to a read-only copy of the selected branch: its questions and finished answers, as
    they are now. Sharing again makes a new copy and a new link; the old link stops working."""
    try:
        token, row = await shares.share(session, conversation, await selected_leaf(session, conversation))
    except shares.SharingOff as off:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(off)) from None
    except shares.BranchTooLong as too_long:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, str(too_long)) from None
    return ShareCreated(token=token, url=shares.share_url(token), created_at=row.created_at)


@router.get("/{conversation_id}/share")
async def read_share(conversation: ConversationDep, session: SessionDep) -> ShareState:
    """Whether the conversation has a link, and since when; never its token."""
    row = await shares.find_share(session, conversation.id)
    return ShareState(
        shared=row is not None,
        created_at=row.created_at if row else None,
        enabled=await shares.sharing_on(session),
    )


@router.delete("/{conversation_id}/share", status_code=status.HTTP_204_NO_CONTENT)
async def unshare_conversation(conversation: ConversationDep, session: SessionDep) -> Response:
    """The link stops working, and its copy is deleted."""
    await shares.unshare(session, conversation.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
