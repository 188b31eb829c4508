// Drives an OpenAI-compatible server (the quickstart demo) with
// LangChain.js (`@langchain/openai`, `@langchain/core`): an agent loop
// with bindTools + invoke under tool_choice auto, a structured output with
// withStructuredOutput, streamed text and embeddings. Asserts with
// node:assert and prints the results as JSON for the Go test
// (examples/quickstart/node_test.go):
//   node langchain.mjs <server URL>
import assert from 'node:assert/strict';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { HumanMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';

const [base] = process.argv.slice(2);
const configuration = { baseURL: `${base}/v1` };
const llm = new ChatOpenAI({ model: 'demo-chat', apiKey: 'demo', configuration, maxRetries: 0 });
const results = {};

// An agent loop by hand: bindTools, invoke, run the tool call, invoke again.
const calls = [];
const getWeather = tool(async ({ city }) => {
  calls.push({ city });
  return JSON.stringify({ city, temperature: 22, condition: 'sunny' });
}, {
  name: 'get_weather',
  description: 'Get the current weather in a city',
  schema: z.object({ city: z.string().describe('The city') }),
});
const withTools = llm.bindTools([getWeather]);
const messages = [new HumanMessage("What's the weather in Paris?")];
const first = await withTools.invoke(messages);
assert.equal(first.tool_calls.length, 1);
assert.equal(first.tool_calls[0].name, 'get_weather');
assert.deepEqual(first.tool_calls[0].args, { city: 'Paris' });
messages.push(first);
for (const call of first.tool_calls) {
  messages.push(new ToolMessage({ content: await getWeather.invoke(call.args), tool_call_id: call.id }));
}
const final = await withTools.invoke(messages);
assert.equal(final.tool_calls.length, 0);
assert.match(final.content, /temperature 22/);
results.agent = { calls, args: first.tool_calls[0].args, text: final.content };

// Structured output from a zod schema.
const Trip = z.object({ destination: z.string(), nights: z.number().int().min(1).max(30), travellers: z.array(z.string()) });
const trip = await llm.withStructuredOutput(Trip, { name: 'trip' }).invoke('Plan a trip to Tokyo for 5 nights');
assert.equal(trip.destination, 'Tokyo');
assert.equal(trip.nights, 5);
assert.ok(trip.travellers.length >= 1 && trip.travellers.length <= 3, JSON.stringify(trip));
results.structured = trip;

// Streamed text.
const pieces = [];
for await (const chunk of await llm.stream('What is 6*7?')) pieces.push(chunk.content);
assert.equal(pieces.join(''), '6*7 equals 42.');
results.stream = { text: pieces.join(''), pieces: pieces.filter((p) => p !== '').length };

// Embeddings.
const embeddings = new OpenAIEmbeddings({ model: 'demo-embed', apiKey: 'demo', configuration, dimensions: 64 });
const [a, b, c] = await embeddings.embedDocuments(['The cat sat on the mat', 'A cat sat on a mat', 'Quarterly earnings beat expectations']);
const dot = (x, y) => x.reduce((s, v, i) => s + v * y[i], 0);
assert.equal(a.length, 64);
assert.ok(dot(a, b) > dot(a, c), `similar ${dot(a, b)} <= unrelated ${dot(a, c)}`);
results.embeddings = { dimensions: a.length, similar: dot(a, b), unrelated: dot(a, c) };

console.log(JSON.stringify(results));
