// Sends a chat request and a streamed one with the official openai npm SDK,
// configured as in a browser (dangerouslyAllowBrowser), so that the Go test
// can record which headers the SDK sends and check that CORS allows them.
// Env: OPENAI_NODE_PKG (path of the openai package), BASE_URL.
const mod = require(process.env.OPENAI_NODE_PKG);
const OpenAI = mod.OpenAI || mod.default;

const client = new OpenAI({
  apiKey: 'sk-node-test',
  baseURL: process.env.BASE_URL,
  dangerouslyAllowBrowser: true,
  maxRetries: 0,
});

(async () => {
  const params = { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] };
  const done = await client.chat.completions.create(params);
  const stream = await client.chat.completions.create({ ...params, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  console.log(JSON.stringify({ content: done.choices[0].message.content, streamed: text }));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
