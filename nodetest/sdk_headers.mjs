// Sends a chat request and a streamed one with the official openai npm SDK,
// configured as in a browser (dangerouslyAllowBrowser), so that a Go test
// (middleware/cors_test.go) can record which headers the SDK sends and check
// that the CORS middleware allows them. Usage: node sdk_headers.mjs BASE_URL
import OpenAI from 'openai';

const client = new OpenAI({
  apiKey: 'sk-node-test',
  baseURL: process.argv[2],
  dangerouslyAllowBrowser: true,
  maxRetries: 0,
});

const params = { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] };
const done = await client.chat.completions.create(params);
const stream = await client.chat.completions.create({ ...params, stream: true });
let text = '';
for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
console.log(JSON.stringify({ content: done.choices[0].message.content, streamed: text }));
