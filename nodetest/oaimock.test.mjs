// Runs the official openai npm SDK against a running oaimock, driving the
// mock through its control API. Started by cmd/oaimock's TestNodeSDK with
// OAIMOCK_URL set to the mock's address; run by hand with:
//   go run ./cmd/oaimock &  OAIMOCK_URL=http://127.0.0.1:4010 node --test nodetest/oaimock.test.mjs
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const base = process.env.OAIMOCK_URL ?? 'http://127.0.0.1:4010';
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-node-test-key', maxRetries: 2 });

// control calls the control API: GET without a body, POST with one. Lists
// answer {object: 'list', data: [...]}, actions {ok: true, ...}.
async function control(path, body) {
  const res = await fetch(`${base}/__oaimock/${path}`, body === undefined ? {} : {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const answer = await res.json();
  assert.ok(res.ok, `${path}: ${res.status} ${JSON.stringify(answer)}`);
  if (body === undefined) {
    assert.equal(answer.object, 'list');
    return answer.data;
  }
  assert.equal(answer.ok, true);
  return answer;
}

const rules = (...rules) => control('rules', { rules });

beforeEach(async () => { assert.deepEqual(await control('reset', {}), { ok: true }); });

test('text, streamed and not', async () => {
  await rules({ match: { last_user: { equals: 'hi' } }, times: 2, reply: { text: 'Héllo from oaimock ✓' } });
  const plain = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(plain.choices[0].message.content, 'Héllo from oaimock ✓');
  assert.equal(plain.choices[0].finish_reason, 'stop');
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true },
  });
  let text = '';
  let usage;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, 'Héllo from oaimock ✓');
  assert.ok(usage.completion_tokens > 0);
});

test('streamed parallel tool calls through the stream helper', async () => {
  await rules({ reply: { tool_calls: [
    { id: 'call_a', name: 'get_weather', arguments: { city: 'Paris' } },
    { id: 'call_b', name: 'get_weather', arguments: { city: 'Tōkyō' } },
  ] } });
  const runner = client.chat.completions.stream({
    model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'weather?' }],
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
  });
  const done = await runner.finalChatCompletion();
  const calls = done.choices[0].message.tool_calls;
  assert.equal(done.choices[0].finish_reason, 'tool_calls');
  assert.deepEqual(calls.map((c) => [c.id, c.function.name, JSON.parse(c.function.arguments).city]),
    [['call_a', 'get_weather', 'Paris'], ['call_b', 'get_weather', 'Tōkyō']]);
});

test('429 is retried with back-off; 400 is not', async () => {
  await rules(
    { match: { last_user: { equals: 'flaky' } }, replies: [{ error: { status: 429 }, retry_after: '50ms' }, { text: 'ok' }] },
    { match: { last_user: { equals: 'bad' } }, reply: { error: { status: 400, message: 'bad request', param: 'messages' } } },
  );
  const ok = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'flaky' }] });
  assert.equal(ok.choices[0].message.content, 'ok');
  await assert.rejects(
    client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'bad' }] }),
    (err) => err instanceof OpenAI.BadRequestError && err.param === 'messages' && err.message.includes('bad request'),
  );
  const journal = await control('journal');
  assert.deepEqual(journal.map((r) => [r.status, r.attempt, r.retry_count]), [[429, 1, 0], [200, 2, 1], [400, 1, 0]]);
  assert.ok(Date.parse(journal[1].at) - Date.parse(journal[0].at) >= 50, 'retry came before retry-after-ms');
  assert.equal(journal[0].headers.Authorization[0], 'Bearer [REDACTED]');
});

test('embeddings (base64, as the Node SDK asks) honour dimensions', async () => {
  await rules({ match: { endpoint: 'embeddings' } });
  const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 8 });
  assert.equal(res.data.length, 2);
  assert.equal(res.data[1].embedding.length, 8);
  const norm = res.data[0].embedding.reduce((s, x) => s + x * x, 0);
  assert.ok(Math.abs(norm - 1) < 1e-4, `norm² ${norm}`);
});

test('a disconnect mid-stream surfaces as an error', async () => {
  await rules({ reply: { text: 'one two three four five', disconnect_after: 2 } });
  const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
  let text = '';
  await assert.rejects(async () => {
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  });
  assert.equal(text, 'one two');
});

test('split writes do not break the SSE parser', async () => {
  await rules({ reply: { text: 'Ünïcödé ✓ 日本語 and more text to split', split_writes: 3 } });
  const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text, 'Ünïcödé ✓ 日本語 and more text to split');
});

test('an unmatched request fails fast and is listed', async () => {
  await rules({ name: 'only this', match: { model: 'gpt-4o' } });
  await assert.rejects(
    client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    (err) => err.status === 501,
  );
  const failures = await control('failures');
  assert.equal((await control('journal')).length, 1, 'the 501 was retried');
  assert.ok(failures[0].includes('closest rule "only this": model: want "gpt-4o", got "gpt-4o-mini"'), failures[0]);
});

test('a rule added at run time overrides an earlier catch-all, unless added last', async () => {
  assert.deepEqual(await control('rules', { rules: [{ name: 'catch-all', match: { endpoint: 'any' }, times: 'any', reply: { text: 'default' } }] }),
    { ok: true, added: 1, position: 'first' });
  await control('rules', { position: 'last', rules: [{ name: 'too late', match: { last_user: { equals: 'ping' } }, times: 'any', reply: { text: 'never' } }] });
  const ask = async () => (await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'ping' }] })).choices[0].message.content;
  assert.equal(await ask(), 'default');
  await rules({ name: 'pong', match: { last_user: { equals: 'ping' } }, reply: { text: 'pong' } });
  assert.equal(await ask(), 'pong');
  assert.deepEqual((await control('rules')).map((r) => [r.name, r.calls]), [['pong', 1], ['catch-all', 1], ['too late', 0]]);
  assert.deepEqual((await control('journal')).map((r) => r.rule), ['catch-all', 'pong']);
});
