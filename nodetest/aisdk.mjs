// Drives an OpenAI-compatible server (the quickstart demo) with the Vercel
// AI SDK (`ai` + `@ai-sdk/openai`): an agent loop with a tool under
// tool_choice auto, over chat completions and over the Responses API; a
// structured output from a zod schema; embeddings compared with
// cosineSimilarity; streamed text. Asserts with node:assert and prints
// the results as JSON for the Go test (examples/quickstart/node_test.go):
//   node aisdk.mjs <server URL>
import assert from 'node:assert/strict';
import { generateText, streamText, embed, embedMany, cosineSimilarity, tool, stepCountIs, Output } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { z } from 'zod';

const [base] = process.argv.slice(2);
const openai = createOpenAI({ baseURL: `${base}/v1`, apiKey: 'demo' });
const results = {};

// An agent loop: the model calls get_weather, the SDK runs it and sends
// the result back, the model answers with it.
async function agent(model) {
  const calls = [];
  const { text, steps } = await generateText({
    model,
    tools: {
      get_weather: tool({
        description: 'Get the current weather in a city',
        inputSchema: z.object({ city: z.string().describe('The city') }),
        execute: async ({ city }) => {
          calls.push({ city });
          return { city, temperature: 22, condition: 'sunny' };
        },
      }),
    },
    stopWhen: stepCountIs(5),
    prompt: "What's the weather in Paris?",
  });
  assert.deepEqual(calls, [{ city: 'Paris' }]);
  assert.equal(steps.length, 2);
  assert.match(text, /temperature 22/);
  return { calls, steps: steps.length, text };
}
results.chatAgent = await agent(openai.chat('demo-chat'));
results.responsesAgent = await agent(openai.responses('demo-chat'));

// Structured output from a zod schema; .int() bounds the integer by
// ±9007199254740991, which must still give a plausible age.
const person = z.object({ name: z.string(), age: z.number().int(), email: z.email(), city: z.string() });
const { output } = await generateText({
  model: openai.chat('demo-chat'),
  output: Output.object({ schema: person }),
  prompt: 'Make up a person who lives in Paris.',
});
assert.ok(Number.isInteger(output.age) && output.age > 0 && output.age < 130, `age ${output.age}`);
assert.match(output.email, /^[^@\s]+@[^@\s]+\.[a-z]+$/);
results.structured = output;

// Embeddings: similar texts are closer than unrelated ones.
const model = openai.embedding('demo-embed');
const { embedding: cat } = await embed({ model, value: 'The cat sat on the mat' });
const { embeddings: [cat2, money] } = await embedMany({ model, values: ['A cat sat on a mat', 'Quarterly earnings beat expectations'] });
const similar = cosineSimilarity(cat, cat2);
const unrelated = cosineSimilarity(cat, money);
assert.ok(similar > unrelated, `similar ${similar} <= unrelated ${unrelated}`);
results.embeddings = { dimensions: cat.length, similar, unrelated };

// Streamed text arrives in pieces and adds up to the answer.
const stream = streamText({ model: openai.chat('demo-chat'), prompt: 'What is 6*7?' });
const pieces = [];
for await (const piece of stream.textStream) pieces.push(piece);
assert.equal(pieces.join(''), '6*7 equals 42.');
assert.ok(pieces.length > 1, `${pieces.length} pieces`);
results.stream = { text: pieces.join(''), pieces: pieces.length, finishReason: await stream.finishReason };

console.log(JSON.stringify(results));
