// Asks for a structured output through the official `openai` npm package: `zodResponseFormat` (the
// SDK's helper, which takes zod v4 schemas) and `client.chat.completions.parse`, which sends the
// schema as `response_format: {type: "json_schema", ...}` and parses the answer with it. Prints
// `{parsed}` as JSON: tests/stack/openai/test_node_sdk.py runs it against relaychat's /v1.
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";

const [baseURL, apiKey, question] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const City = z.object({ name: z.string(), population: z.number().int() });
const body = {
  model: "scripted",
  messages: [{ role: "user", content: question }],
  response_format: zodResponseFormat(City, "city"),
};
let completion;
try {
  completion = await client.chat.completions.parse(body);
} catch (error) {
  // A failed request: the API's answer (a 400's body) and what was sent go to stderr, and the script
  // fails. An answer that does not fit the schema throws here too (without a status).
  const { message, status, error: responseBody } = error;
  console.error(JSON.stringify({ message, status, responseBody, requestBody: body }, null, 2));
  process.exit(1);
}
console.log(JSON.stringify({ parsed: completion.choices[0].message.parsed }));
