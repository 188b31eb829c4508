// Drives the Anthropic Messages routes of an oaicompat server with the
// official @anthropic-ai/sdk: create, stream (MessageStream's final message
// equals the non-streamed one), a tool round trip, every tool_choice,
// thinking blocks, stop sequences, count_tokens and typed errors; then a
// tool-calling conversation through @langchain/anthropic and
// @ai-sdk/anthropic, and openai-node reading the same reasoning as
// reasoning_content. Run from messages_node_test.go:
// node messages.mjs <server URL> <guarded server URL>.
import assert from 'node:assert/strict';
import Anthropic, {
  APIError, AuthenticationError, BadRequestError, ContentTooLargeError, NotFoundError, OverloadedError,
} from '@anthropic-ai/sdk';
import { ChatAnthropic } from '@langchain/anthropic';
import { HumanMessage, ToolMessage } from '@langchain/core/messages';
import { tool as lcTool } from '@langchain/core/tools';
import { createAnthropic } from '@ai-sdk/anthropic';
import { generateText, stepCountIs, tool } from 'ai';
import OpenAI from 'openai';
import { z } from 'zod';

const [base, guarded] = process.argv.slice(2);
const client = new Anthropic({ baseURL: base, apiKey: 'test', maxRetries: 0 });
const results = {};
const user = (text) => [{ role: 'user', content: text }];
const weather = {
  name: 'get_weather', description: 'Weather of a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

// create
const created = await client.messages.create({ model: 'm1', max_tokens: 100, messages: user('hello node') });
assert.equal(created.type, 'message');
assert.equal(created.content[0].text, 'You said: hello node');
assert.equal(created.stop_reason, 'end_turn');
assert.equal(created.stop_sequence, null);
assert.equal(created.usage.input_tokens, 10);
assert.equal(created.usage.cache_read_input_tokens, 0);
assert.match(created.id, /^msg_/);
assert.match(created._request_id, /^req_/);
results.create = created.content[0].text;

// stream: MessageStream accumulates exactly the non-streamed message, for
// text, tool use, thinking, stop sequences and max_tokens.
const shapes = {
  text: { max_tokens: 100, messages: user('one two three') },
  tool_use: { max_tokens: 100, messages: user('weather?'), tools: [weather] },
  parallel: { max_tokens: 100, messages: user('two calls'), tools: [weather] },
  thinking: { max_tokens: 2048, messages: user('think it over'), thinking: { type: 'enabled', budget_tokens: 1024 } },
  stop_sequence: { max_tokens: 100, messages: user('stop'), stop_sequences: ['###'] },
  max_tokens: { max_tokens: 3, messages: user('a b c d') },
};
// The wire fields of a message (the stream helper adds parsed_output).
const wire = (m) => {
  const { parsed_output: _, ...rest } = JSON.parse(JSON.stringify(m));
  return rest;
};
results.stream = {};
for (const [name, params] of Object.entries(shapes)) {
  const want = await client.messages.create({ model: 'm1', ...params });
  const stream = client.messages.stream({ model: 'm1', ...params });
  const events = [];
  stream.on('streamEvent', (e) => events.push(e.type));
  const got = await stream.finalMessage();
  assert.deepEqual(wire(got), wire(want), name);
  assert.equal(events[0], 'message_start');
  assert.equal(events.at(-1), 'message_stop');
  results.stream[name] = got.stop_reason;
}
const thought = await client.messages.create({ model: 'm1', ...shapes.thinking });
assert.deepEqual(thought.content[0], { type: 'thinking', thinking: 'Let me think.', signature: 'sig-1' });
assert.equal(thought.usage.output_tokens_details.thinking_tokens, 6);
const stopped = await client.messages.create({ model: 'm1', ...shapes.stop_sequence });
assert.equal(stopped.stop_reason, 'stop_sequence');
assert.equal(stopped.stop_sequence, '###');

// Tool use round trip, the thinking block sent back unchanged.
const first = await client.messages.create({ model: 'm1', max_tokens: 100, messages: user('weather in Paris?'), tools: [weather] });
const call = first.content.find((b) => b.type === 'tool_use');
assert.deepEqual(call.input, { city: 'Paris' });
assert.match(call.id, /^toolu_/);
const second = await client.messages.create({
  model: 'm1', max_tokens: 100, tools: [weather],
  messages: [...user('weather in Paris?'), { role: 'assistant', content: [thought.content[0], ...first.content] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '18C' }] }],
});
assert.equal(second.content[0].text, 'The weather: 18C');
results.roundTrip = second.content[0].text;

// tool_choice: auto, any, tool, none.
const time = { name: 'get_time', input_schema: { type: 'object', properties: {} } };
results.toolChoice = {};
for (const choice of [{ type: 'auto' }, { type: 'any' }, { type: 'tool', name: 'get_time' }, { type: 'none' }]) {
  const m = await client.messages.create({ model: 'm1', max_tokens: 100, messages: user('weather?'), tools: [weather, time], tool_choice: choice });
  results.toolChoice[choice.type] = m.content.filter((b) => b.type === 'tool_use').map((b) => b.name).join(',') || m.stop_reason;
}
assert.deepEqual(results.toolChoice, { auto: 'get_weather', any: 'get_weather', tool: 'get_time', none: 'end_turn' });

// count_tokens
const counted = await client.messages.countTokens({ model: 'm1', system: 'be brief', messages: user('one two three') });
assert.equal(counted.input_tokens, 5);

// Typed errors.
const expectError = async (cls, status, type, fn) => {
  await assert.rejects(fn, (err) => {
    assert.ok(err instanceof cls, `${err.constructor.name} is not ${cls.name}: ${err.message}`);
    assert.equal(err.status, status);
    assert.equal(err.type, type);
    assert.match(err.requestID ?? '', /^req_/);
    return true;
  });
};
const good = new Anthropic({ baseURL: guarded, apiKey: 'sk-good', maxRetries: 0 });
await expectError(BadRequestError, 400, 'invalid_request_error', async () => {
  try {
    await good.messages.create({ model: 'm1', max_tokens: 100, messages: user('hi'), tools: [weather], tool_choice: { type: 'tool', name: 'missing' } });
  } catch (err) {
    assert.equal(err.apiMessage, "tool_choice.name: Tool 'missing' not found in tools");
    throw err;
  }
});
await expectError(BadRequestError, 400, 'invalid_request_error', () => good.messages.create({ model: 'm1', messages: user('hi') }));
await expectError(AuthenticationError, 401, 'authentication_error',
  () => new Anthropic({ baseURL: guarded, apiKey: 'sk-bad', maxRetries: 0 }).messages.create({ model: 'm1', max_tokens: 5, messages: user('hi') }));
await expectError(AuthenticationError, 401, 'authentication_error',
  () => new Anthropic({ baseURL: guarded, apiKey: null, authToken: null, defaultHeaders: { 'x-api-key': 'sk-bad', Authorization: null }, maxRetries: 0 })
    .messages.create({ model: 'm1', max_tokens: 5, messages: user('hi') }));
const viaXApiKey = new Anthropic({ baseURL: guarded, apiKey: null, authToken: null, defaultHeaders: { 'x-api-key': 'sk-good', Authorization: null }, maxRetries: 0 });
assert.equal((await viaXApiKey.messages.create({ model: 'm1', max_tokens: 100, messages: user('hi') })).content[0].text, 'You said: hi');
await expectError(NotFoundError, 404, 'not_found_error', () => good.messages.create({ model: 'nope', max_tokens: 5, messages: user('hi') }));
await expectError(ContentTooLargeError, 413, 'request_too_large', () => good.messages.create({ model: 'm1', max_tokens: 5, messages: user('x'.repeat(5000)) }));
await expectError(OverloadedError, 529, 'overloaded_error', () => good.messages.create({ model: 'm1', max_tokens: 5, messages: user('overload') }));
// After the first event an error arrives in-band: the stream throws an
// APIError (no status: the answer was a 200) with the error's type.
await assert.rejects(() => client.messages.stream({ model: 'm1', max_tokens: 100, messages: user('fail') }).finalMessage(),
  (err) => err instanceof APIError && err.type === 'rate_limit_error' && err.apiMessage === 'Slow down.');
results.errors = 'typed';

// LangChain: a tool-calling conversation.
const lcWeather = lcTool(async ({ city }) => `18C in ${city}`, {
  name: 'get_weather', description: 'Weather of a city', schema: z.object({ city: z.string() }),
});
const model = new ChatAnthropic({ model: 'm1', anthropicApiUrl: base, apiKey: 'test', maxRetries: 0, maxTokens: 100 });
const bound = model.bindTools([lcWeather]);
const history = [new HumanMessage('weather in Paris?')];
const ai = await bound.invoke(history);
assert.equal(ai.tool_calls[0].name, 'get_weather');
assert.deepEqual(ai.tool_calls[0].args, { city: 'Paris' });
history.push(ai, new ToolMessage({ tool_call_id: ai.tool_calls[0].id, content: await lcWeather.invoke(ai.tool_calls[0].args) }));
const answer = await bound.invoke(history);
assert.equal(answer.content, 'The weather: 18C in Paris');
let streamed = '';
for await (const chunk of await model.stream('stream this')) streamed += typeof chunk.content === 'string' ? chunk.content : '';
assert.equal(streamed, 'You said: stream this');
results.langchain = answer.content;

// AI SDK: an agent loop that calls the tool and answers from its result.
const provider = createAnthropic({ baseURL: `${base}/v1`, apiKey: 'test' });
const out = await generateText({
  model: provider('m1'), prompt: 'weather in Paris?', maxRetries: 0, maxOutputTokens: 100, stopWhen: stepCountIs(3),
  tools: { get_weather: tool({ description: 'Weather of a city', inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => `18C in ${city}` }) },
});
assert.equal(out.steps[0].toolCalls[0].toolName, 'get_weather');
assert.equal(out.text, 'The weather: 18C in Paris');
results.aisdk = out.text;

// openai-node reads the reasoning of the same backend as reasoning_content.
const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'test', maxRetries: 0 });
const chat = await openai.chat.completions.create({ model: 'm1', messages: user('think it over') });
assert.equal(chat.choices[0].message.reasoning_content, 'Let me think.');
assert.equal(chat.choices[0].message.content, '42');
let reasoning = '';
for await (const chunk of await openai.chat.completions.create({ model: 'm1', messages: user('think it over'), stream: true })) {
  reasoning += chunk.choices[0]?.delta?.reasoning_content ?? '';
}
assert.equal(reasoning, 'Let me think.');
results.openaiReasoning = reasoning;

console.log(JSON.stringify(results));
