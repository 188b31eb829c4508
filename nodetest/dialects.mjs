// Drives an oaicompat server with the official openai npm SDK: the
// Responses API (create, stream, a function-calling round trip with
// previous_response_id, an in-band stream error) and the AzureOpenAI client.
// Run from dialects_node_test.go: node dialects.mjs <server URL>.
import assert from 'node:assert/strict';
import OpenAI, { AzureOpenAI, APIError } from 'openai';

const base = process.argv[2];
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'test', maxRetries: 0 });
const results = {};

// responses.create
const created = await client.responses.create({ model: 'm1', input: 'hello node', instructions: 'be brief' });
assert.equal(created.output_text, 'You said: hello node');
assert.equal(created.status, 'completed');
assert.equal(created.usage.input_tokens, 20);
results.create = created.output_text;

// responses.stream: the SDK's ResponseStream accumulates the events.
const stream = client.responses.stream({ model: 'm1', input: 'stream this' });
const types = [];
let deltas = '';
for await (const event of stream) {
  types.push(event.type);
  if (event.type === 'response.output_text.delta') deltas += event.delta;
}
const final = await stream.finalResponse();
assert.equal(deltas, 'You said: stream this');
// (The SDK adds output_text only to parsed stream results: read the item.)
assert.equal(final.output[0].content[0].text, deltas);
assert.equal(final.status, 'completed');
assert.equal(types[0], 'response.created');
assert.equal(types.at(-1), 'response.completed');
results.stream = types;

// Function calling round trip through previous_response_id.
const tools = [{
  type: 'function', name: 'get_weather', strict: true,
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
}];
const first = await client.responses.create({ model: 'm1', input: 'weather in Paris?', tools });
const call = first.output.find((o) => o.type === 'function_call');
assert.equal(call.name, 'get_weather');
assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
const second = await client.responses.create({
  model: 'm1', tools, previous_response_id: first.id,
  input: [{ type: 'function_call_output', call_id: call.call_id, output: '18C' }],
});
assert.equal(second.output_text, 'The weather: 18C');
results.roundTrip = second.output_text;

// Streamed function call: the accumulated snapshot carries the arguments.
const fstream = client.responses.stream({ model: 'm1', input: 'weather?', tools });
const fres = await fstream.finalResponse();
assert.equal(fres.output[0].type, 'function_call');
assert.equal(fres.output[0].arguments, '{"city":"Paris"}');

// An error after output began arrives as an error event: the SDK throws.
await assert.rejects(async () => {
  const s = client.responses.stream({ model: 'fail', input: 'x' });
  for await (const _ of s) { /* drain */ }
}, (err) => err instanceof APIError && /Slow down/.test(err.message));
results.streamError = 'APIError';

// Retrieval.
const got = await client.responses.retrieve(created.id);
assert.equal(got.output_text, created.output_text);

// Legacy completions.
const comp = await client.completions.create({ model: 'm1', prompt: ['a', 'b'], echo: true });
assert.deepEqual(comp.choices.map((c) => c.text), ['aYou said: a', 'bYou said: b']);

// AzureOpenAI: deployment URLs with api-version and the api-key header.
const azure = new AzureOpenAI({ endpoint: base, apiKey: 'azure-key', apiVersion: '2024-10-21', deployment: 'prod-chat', maxRetries: 0 });
const chat = await azure.chat.completions.create({ model: 'ignored', messages: [{ role: 'user', content: 'hi azure' }] });
assert.equal(chat.choices[0].message.content, 'You said: hi azure');
const acomp = await azure.completions.create({ model: 'ignored', prompt: 'legacy azure' });
assert.equal(acomp.choices[0].text, 'You said: legacy azure');
const azureNoDeployment = new AzureOpenAI({ endpoint: base, apiKey: 'azure-key', apiVersion: '2024-10-21', maxRetries: 0 });
const aresp = await azureNoDeployment.responses.create({ model: 'm1', input: 'azure responses' });
assert.equal(aresp.output_text, 'You said: azure responses');
const astream = azureNoDeployment.responses.stream({ model: 'm1', input: 'azure stream' });
assert.equal((await astream.finalResponse()).output[0].content[0].text, 'You said: azure stream');
results.azure = [chat.choices[0].message.content, acomp.choices[0].text, aresp.output_text];

console.log(JSON.stringify(results));
