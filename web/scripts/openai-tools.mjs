// Runs a two-step tool loop through the official `openai` npm package, the way Node users write it
// by hand: a streamed Chat Completion whose `delta.tool_calls` fragments are put together into whole
// calls, the tool run locally, then a second (not streamed) completion with the assistant's calls and
// the tool's result. Prints what it did as JSON: tests/stack/openai/test_node_sdk.py runs it against
// relaychat's /v1.
import OpenAI from "openai";

const [baseURL, apiKey, question] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const tools = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "The weather in a city",
      parameters: {
        type: "object",
        properties: { city: { type: "string" } },
        required: ["city"],
        additionalProperties: false,
      },
    },
  },
];
const run = { get_weather: async ({ city }) => ({ city, degrees: 12 }) };

// A failed request: the API's answer (a 400's body) and what was sent go to stderr, and the script fails.
function fail(error, body) {
  const { message, status, error: responseBody } = error;
  console.error(JSON.stringify({ message, status, responseBody, requestBody: body }, null, 2));
  process.exit(1);
}

async function create(body) {
  try {
    const result = await client.chat.completions.create(body);
    if (!body.stream) return result;
    const chunks = [];
    for await (const chunk of result) chunks.push(chunk); // an error event in the stream throws here
    return chunks;
  } catch (error) {
    fail(error, body);
  }
}

const messages = [{ role: "user", content: question }];
const first = { model: "scripted", messages, tools, stream: true };
let content = "";
let finishReason = null;
const calls = []; // by the fragments' index: the first fragment has the id and the name
for (const chunk of await create(first)) {
  const choice = chunk.choices[0];
  if (!choice) continue;
  content += choice.delta?.content ?? "";
  for (const fragment of choice.delta?.tool_calls ?? []) {
    const call = (calls[fragment.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } });
    if (fragment.id) call.id = fragment.id;
    if (fragment.function?.name) call.function.name = fragment.function.name;
    call.function.arguments += fragment.function?.arguments ?? "";
  }
  finishReason = choice.finish_reason ?? finishReason;
}

messages.push({ role: "assistant", content: content || null, tool_calls: calls });
for (const call of calls) {
  const output = await run[call.function.name](JSON.parse(call.function.arguments));
  messages.push({ role: "tool", tool_call_id: call.id, content: JSON.stringify(output) });
}
const second = { model: "scripted", messages, tools };
const completion = await create(second);
console.log(
  JSON.stringify({
    calls: calls.map((call) => ({ id: call.id, name: call.function.name, arguments: JSON.parse(call.function.arguments) })),
    finishReason,
    text: completion.choices[0].message.content,
  }),
);
