// Runs a tool loop through the Vercel AI SDK (`streamText` with one tool, up to three steps) and
// prints what it did as JSON: tests/stack/openai/test_node_sdk.py runs it against relaychat's /v1.
// The fourth argument picks the API: "chat" (Chat Completions, the default) or "responses".
import { createOpenAI } from "@ai-sdk/openai";
import { stepCountIs, streamText, tool } from "ai";
import { z } from "zod";

const [baseURL, apiKey, question, api = "chat"] = process.argv.slice(2);
const openai = createOpenAI({ baseURL, apiKey });
const result = streamText({
  model: api === "responses" ? openai.responses("scripted") : openai.chat("scripted"),
  prompt: question,
  maxRetries: 0,
  tools: {
    get_weather: tool({
      description: "The weather in a city",
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }) => ({ city, degrees: 12 }),
    }),
  },
  stopWhen: stepCountIs(3),
  onError: () => {}, // not the SDK's own logging: the error part below tells it
});
// streamText reports a failed request as a part of its stream, not by throwing: the API's answer
// (a 400's body, and what was sent) goes to stderr, and the script fails.
for await (const part of result.fullStream) {
  if (part.type === "error") {
    const { message, statusCode, responseBody, requestBodyValues } = part.error;
    console.error(JSON.stringify({ message, statusCode, responseBody, requestBodyValues }, null, 2));
    process.exit(1);
  }
}
// The result's toolCalls and toolResults are the last step's: the loop's are its steps'.
const steps = await result.steps;
console.log(
  JSON.stringify({
    text: await result.text,
    toolCalls: steps.flatMap((step) => step.toolCalls.map(({ toolName, input }) => ({ toolName, input }))),
    toolResults: steps.flatMap((step) => step.toolResults.map(({ toolName, output }) => ({ toolName, output }))),
    steps: steps.length,
    finishReason: await result.finishReason,
  }),
);
