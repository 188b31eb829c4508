// Drives an oaicompat server with the official openai npm SDK's structured
// output helpers: chat.completions.parse (response_format json_schema and
// strict tools, auto-parsed), the stream helper's final message, and
// the error a violation surfaces as.
// Run from guard_node_test.go: node structured.mjs <server URL> <schema JSON>.
import assert from 'node:assert/strict';
import OpenAI, { APIError } from 'openai';

const [base, schemaJSON] = process.argv.slice(2);
const schema = JSON.parse(schemaJSON);
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'test', maxRetries: 0 });
const response_format = { type: 'json_schema', json_schema: { name: 'conversion', schema, strict: true } };
const ask = (content) => [{ role: 'user', content }];
const results = {};

// parse(): the content comes back parsed.
const parsed = await client.chat.completions.parse({ model: 'm', messages: ask('good'), response_format });
assert.deepEqual(parsed.choices[0].message.parsed, { value: 3, from: 'km', to: 'mi' });
results.parsed = parsed.choices[0].message.parsed;

// The stream helper accumulates the checked content (it parses only
// zod-made formats itself).
const stream = client.chat.completions.stream({ model: 'm', messages: ask('good'), response_format });
const final = await stream.finalChatCompletion();
assert.deepEqual(JSON.parse(final.choices[0].message.content), { value: 3, from: 'km', to: 'mi' });
results.streamParsed = true;

// Strict tools: the arguments come back parsed.
const tools = [{ type: 'function', function: { name: 'convert', parameters: schema, strict: true } }];
const called = await client.chat.completions.parse({ model: 'm', messages: ask('call'), tools });
assert.deepEqual(called.choices[0].message.tool_calls[0].function.parsed_arguments, { value: 3, from: 'km', to: 'mi' });
results.parsedArguments = true;

// A reply that breaks the schema never reaches parse(): it is a 500 model_error.
try {
  await client.chat.completions.parse({ model: 'm', messages: ask('bad'), response_format });
  assert.fail('a violation was delivered');
} catch (err) {
  assert.ok(err instanceof APIError, String(err));
  assert.equal(err.status, 500);
  assert.equal(err.type, 'model_error');
  results.violation = err.message;
}

// Streamed, the invalid content is held back: the stream fails before any of it.
let seen = '';
try {
  const bad = client.chat.completions.stream({ model: 'm', messages: ask('bad'), response_format });
  for await (const chunk of bad) seen += chunk.choices[0]?.delta?.content ?? '';
  await bad.finalChatCompletion();
  assert.fail('a streamed violation was delivered');
} catch (err) {
  assert.ok(err instanceof APIError, String(err));
  assert.equal(seen, '');
  results.streamViolation = err.status;
}
console.log(JSON.stringify(results));
