// Drives a three-turn conversation through the Vercel AI SDK's Responses
// provider (`ai` + `@ai-sdk/openai`, default store:true) against an
// OpenAI-compatible server (the quickstart demo): each turn sends the
// earlier ones as `response.messages`, which @ai-sdk/openai turns into
// item_reference items for what the server stored (assistant text,
// reasoning). The first turn calls a tool. Prints, as JSON for the Go test
// (examples/quickstart/store_node_test.go), what each turn answered, the
// item references each request carried, and the input items the server
// lists for the last response (the references resolved):
//   node aisdk_store.mjs <server URL>
import assert from 'node:assert/strict';
import { generateText, tool, stepCountIs } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import OpenAI from 'openai';
import { z } from 'zod';

const [base] = process.argv.slice(2);
const bodies = []; // every POST /v1/responses body, in order
const openai = createOpenAI({
  baseURL: `${base}/v1`,
  apiKey: 'demo',
  fetch: async (url, init) => {
    if (String(url).endsWith('/responses') && init?.body) bodies.push(JSON.parse(init.body));
    return fetch(url, init);
  },
});
const model = openai.responses('demo-chat');
const tools = {
  get_weather: tool({
    description: 'Get the current weather in a city',
    inputSchema: z.object({ city: z.string().describe('The city') }),
    execute: async ({ city }) => ({ city, temperature: 22, condition: 'sunny' }),
  }),
};

const messages = [];
const turns = [];
for (const prompt of ["What's the weather in Paris?", 'Think step by step: what is 6*7?', 'What is 2+3?']) {
  messages.push({ role: 'user', content: prompt });
  const first = bodies.length;
  const result = await generateText({ model, tools, stopWhen: stepCountIs(5), messages });
  messages.push(...result.response.messages);
  turns.push({
    prompt,
    text: result.text,
    reasoning: result.reasoningText ?? '',
    steps: result.steps.length,
    responseId: result.response.id,
    references: bodies.slice(first).flatMap((b) => b.input.filter((i) => i.type === 'item_reference').map((i) => i.id)),
    stored: bodies.slice(first).every((b) => b.store !== false),
  });
}
assert.equal(turns.length, 3);

// The server lists the last response's input items: the references
// resolved to the items themselves.
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'demo' });
const items = [];
for await (const item of client.responses.inputItems.list(turns[2].responseId, { order: 'asc' })) items.push(item);

console.log(JSON.stringify({ turns, inputItems: items }));
