// Streams one chat completion through the official `openai` npm package and prints the text and
// the usage as JSON: tests/stack/openai/test_node_sdk.py runs it against relaychat's /v1.
import OpenAI from "openai";

const [baseURL, apiKey, question] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const stream = await client.chat.completions.create({
  model: "scripted",
  messages: [{ role: "user", content: question }],
  stream: true,
  stream_options: { include_usage: true },
});
let text = "";
let usage = null;
for await (const chunk of stream) {
  text += chunk.choices[0]?.delta?.content ?? "";
  usage = chunk.usage ?? usage;
}
console.log(JSON.stringify({ text, usage }));
