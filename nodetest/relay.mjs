// Drives an oaicompat relay (package relay) with the official openai npm
// SDK, with its default retries (2): a chat and a stream, the usage chunk,
// a stream that breaks after output began (the SDK must throw, not end
// cleanly), an upstream whose failures the relay already retried (the
// SDK must not retry on top: x-should-retry: false), embeddings in the
// SDK's default base64 form, and a 5 MB single SSE line.
// Run from relay/node_test.go: node relay.mjs <relay base URL with /v1>.
import assert from 'node:assert/strict';
import OpenAI, { APIError } from 'openai';

const client = new OpenAI({ baseURL: process.argv[2], apiKey: 'sk-client' });
const msg = [{ role: 'user', content: 'hi' }];
const results = {};

const done = await client.chat.completions.create({ model: 'ok', messages: msg });
assert.equal(done.choices[0].message.content, 'Hello from upstream');
results.chat = done.choices[0].message.content;

let text = '';
let usage = null;
const stream = await client.chat.completions.create({ model: 'ok', messages: msg, stream: true, stream_options: { include_usage: true } });
for await (const chunk of stream) {
  text += chunk.choices[0]?.delta?.content ?? '';
  if (chunk.usage) usage = chunk.usage;
}
assert.equal(text, 'Hello from upstream');
assert.equal(usage.prompt_tokens, 11);
results.usage = usage.total_tokens;

let partial = '';
await assert.rejects(async () => {
  const s = await client.chat.completions.create({ model: 'cut', messages: msg, stream: true });
  for await (const chunk of s) partial += chunk.choices[0]?.delta?.content ?? '';
}, (err) => err instanceof APIError);
assert.equal(partial, 'partial ');
results.cut = partial;

await assert.rejects(client.chat.completions.create({ model: 'spent', messages: msg }), (err) => {
  assert.ok(err instanceof APIError);
  assert.equal(err.status, 503);
  assert.equal(err.headers.get('x-should-retry'), 'false');
  return true;
});
results.spent = 'rejected';

const emb = await client.embeddings.create({ model: 'ok', input: ['a', 'b'] });
assert.deepEqual(emb.data.map((d) => d.embedding), [[0.5, -1.25], [2, 0]]);
results.embeddings = emb.data.length;

let big = '';
const bs = await client.chat.completions.create({ model: 'big', messages: msg, stream: true });
for await (const chunk of bs) big += chunk.choices[0]?.delta?.content ?? '';
results.bigLength = big.length;

console.log(JSON.stringify(results));
