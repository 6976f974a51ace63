// Asks for a structured output through the Vercel AI SDK, its v6 way (`generateText` with
// `output: Output.object({ schema })`; `generateObject` is deprecated) on Chat Completions, and
// prints `{object}` as JSON: tests/stack/openai/test_node_sdk.py runs it against relaychat's /v1.
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, NoObjectGeneratedError, Output } from "ai";
import { z } from "zod";

const [baseURL, apiKey, question] = process.argv.slice(2);
const openai = createOpenAI({ baseURL, apiKey });
let object;
try {
  const result = await generateText({
    model: openai.chat("scripted"),
    prompt: question,
    maxRetries: 0,
    output: Output.object({
      name: "city",
      schema: z.object({ name: z.string(), population: z.number().int() }),
    }),
  });
  object = result.output; // parsed against the schema: a misfit throws NoObjectGeneratedError
} catch (error) {
  // A failed request: the API's answer (a 400's body) and what was sent go to stderr, and the script
  // fails; an answer that does not fit the schema too, with the text the model gave.
  if (NoObjectGeneratedError.isInstance(error)) {
    const { message, text, finishReason } = error;
    console.error(JSON.stringify({ message, text, finishReason, cause: error.cause?.message }, null, 2));
  } else {
    const { message, statusCode, responseBody, requestBodyValues } = error;
    console.error(JSON.stringify({ message, statusCode, responseBody, requestBodyValues }, null, 2));
  }
  process.exit(1);
}
console.log(JSON.stringify({ object }));
