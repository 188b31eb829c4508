// Drives the quickstart demo's Anthropic Messages API with the official
// @anthropic-ai/sdk, as the banner's Anthropic line does: an answer, a
// thinking block streamed by MessageStream into the same message as
// create, a stop sequence, a tool round trip and count_tokens. Run from
// examples/quickstart/messages_node_test.go: node claude.mjs <server URL>.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({ baseURL: process.argv[2], apiKey: 'demo', maxRetries: 0 });
const model = 'demo-chat';
const ask = (text) => [{ role: 'user', content: text }];
const results = {};

const answer = await client.messages.create({ model, max_tokens: 200, messages: ask('What is 2+2?') });
results.answer = answer.content[0].text;

const think = { model, max_tokens: 200, messages: ask('Think step by step: What is 6*7?') };
const created = await client.messages.create(think);
const streamed = await client.messages.stream(think).finalMessage();
const wire = (m) => {
  const { id: _, parsed_output: __, ...rest } = JSON.parse(JSON.stringify(m));
  return rest;
};
assert.deepEqual(wire(streamed), wire(created));
results.thinking = created.content[0].thinking;
results.thought = created.content[1].text;

const stopped = await client.messages.create({ model, max_tokens: 200, messages: ask('What is 2+2?'), stop_sequences: ['equals'] });
results.stop = [stopped.stop_reason, stopped.stop_sequence, stopped.content[0].text];

const tools = [{ name: 'get_weather', description: 'Current weather in a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];
const first = await client.messages.create({ model, max_tokens: 200, tools, messages: ask('What is the weather in Paris?') });
const call = first.content.find((b) => b.type === 'tool_use');
const second = await client.messages.create({
  model, max_tokens: 200, tools,
  messages: [...ask('What is the weather in Paris?'), { role: 'assistant', content: first.content },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '{"temperature":22,"condition":"sunny"}' }] }],
});
results.tool = { input: call.input, answer: second.content[0].text };

results.tokens = (await client.messages.countTokens({ model, messages: ask('What is 2+2?') })).input_tokens;
console.log(JSON.stringify(results));
