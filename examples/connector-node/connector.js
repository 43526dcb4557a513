// A Bots Status connector process in Node.js 20: the connector protocol
// (docs/connector-protocol.md) with Node's fetch and the `ws` and `eventsource` packages.
// Messaging connectors only; a Chat one would poll its chat server where this holds a socket.
//
//   BOTS_STATUS_CONTROL_PLANE=http://127.0.0.1:8787 BOTS_STATUS_CONNECTOR_TOKEN=bsc_… \
//   MESSAGING_URL=ws://127.0.0.1:8790/messaging BOT_SERVER_URL=http://127.0.0.1:8790/bot \
//   node connector.js
'use strict';
const WebSocket = require('ws');
const EventSource = require('eventsource');

const { BOTS_STATUS_CONTROL_PLANE: plane, BOTS_STATUS_CONNECTOR_TOKEN: token,
        MESSAGING_URL: messagingUrl, BOT_SERVER_URL: botServerUrl } = process.env;
if (!plane || !token || !messagingUrl || !botServerUrl) {
  console.error('set BOTS_STATUS_CONTROL_PLANE, BOTS_STATUS_CONNECTOR_TOKEN, MESSAGING_URL and BOT_SERVER_URL');
  process.exit(2);
}
const api = `${plane.replace(/\/$/, '')}/api/v1`;
const auth = { Authorization: `Bearer ${token}` };

let orders = null; // the desired state, as the control plane last said it
let run = null; // the run going on: { generation, socket }
const seen = { generation: 0, status: 'Stopped', conversations: 0 }; // what is reported

async function report() {
  const body = { generation: seen.generation, status: seen.status, conversations: seen.conversations };
  if (seen.status !== 'Stopped') Object.assign(body, { cloud: seen.cloud, botServer: seen.botServer });
  if (seen.status === 'NotConnected') body.problem = seen.problem;
  try {
    const answer = await fetch(`${api}/connector/report`, {
      method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    if (answer.status === 401) exit(2, 'the control plane does not know this connector token');
    // 409: a report of another run; its orders are on their way.
    if (!answer.ok && answer.status !== 409) console.error(`report refused: ${answer.status} ${await answer.text()}`);
  } catch (e) {
    console.error(`report not delivered (sent again at the next heartbeat): ${e.message}`);
  }
}

function set(change) {
  Object.assign(seen, change);
  report();
}

async function botServerUp() {
  try {
    return (await fetch(botServerUrl, { signal: AbortSignal.timeout(3000) })).ok;
  } catch {
    return false;
  }
}

// A new run: close what the last one held, connect with the saved settings, say what happens.
// A bot built on LivePerson's node-agent-sdk hooks its connection events in here instead of
// the socket's: `new Agent({ accountId: settings.account, username: settings.agent_user_id, … })`,
// its 'connected' event is Online, an 'error' with code 401 is Unauthorized, 'closed' is a
// dropped connection, and each 'ringing' it accepts is a conversation.
async function start(desired) {
  stop();
  const { generation, settings } = desired;
  set({ generation, status: 'Starting', cloud: 'Not Connected', botServer: 'Not Connected', conversations: 0 });
  run = { generation, socket: null };
  const botServer = (await botServerUp()) ? 'Connected' : 'Not Connected';
  if (run === null || run.generation !== generation) return; // stopped or restarted meanwhile
  const socket = new WebSocket(`${messagingUrl}?agent=${encodeURIComponent(settings.agent_user_id)}`);
  run.socket = socket;
  const mine = () => run !== null && run.socket === socket;
  socket.on('open', () => {
    socket.send(JSON.stringify({ type: 'hello', agent: settings.agent_user_id, config: settings.advanced.custom_config }));
    if (botServer === 'Connected') set({ status: 'Online', cloud: 'Connected', botServer });
    else set({ status: 'NotConnected', cloud: 'Connected', botServer, problem: { kind: 'FailedConnection', component: 'BotServer' } });
  });
  socket.on('unexpected-response', (_request, response) => {
    const problem = response.statusCode === 401 ? { kind: 'Unauthorized' }
      : response.statusCode === 403 ? { kind: 'DisabledByLoginPolicy' }
        : { kind: 'FailedConnection', component: 'ConversationalCloud' };
    if (mine()) set({ status: 'NotConnected', botServer, problem });
  });
  socket.on('error', () => {
    if (mine() && seen.status === 'Starting') {
      set({ status: 'NotConnected', botServer, problem: { kind: 'FailedConnection', component: 'ConversationalCloud' } });
    }
  });
  socket.on('message', (data) => {
    const message = JSON.parse(data);
    if (message.type === 'assign') set({ conversations: seen.conversations + 1 });
    if (message.type === 'close') set({ conversations: Math.max(0, seen.conversations - 1) });
  });
  // A dropped connection stays Not Connected until the next run, as the spec says.
  socket.on('close', () => { if (mine() && seen.status === 'Online') set({ cloud: 'Not Connected' }); });
}

function stop() {
  if (run === null) return;
  const { socket } = run;
  run = null;
  if (socket !== null) socket.close(); // conversations in progress are left as they are
}

function follow(desired) {
  orders = desired;
  if (desired.run && (run === null || run.generation !== desired.generation)) start(desired);
  if (!desired.run && (run !== null || seen.status !== 'Stopped')) {
    stop();
    set({ generation: desired.generation, status: 'Stopped' });
  }
  if (!desired.run) seen.generation = desired.generation;
}

function exit(code, why) {
  console.error(why);
  stop();
  process.exit(code);
}

const stream = new EventSource(`${api}/connector/orders`, { headers: auth });
stream.addEventListener('desired', (event) => follow(JSON.parse(event.data)));
stream.addEventListener('gone', () => exit(0, 'the connector was deleted'));
stream.onerror = (event) => {
  if (event.status === 401 || event.status === 403) exit(2, 'the control plane refused this token');
};

// The heartbeat: the bot server checked, and what is known reported again.
(async function heartbeat() {
  if (orders !== null) {
    if (run !== null && seen.status === 'Online') seen.botServer = (await botServerUp()) ? 'Connected' : 'Not Connected';
    await report();
  }
  setTimeout(heartbeat, orders ? orders.heartbeatMs : 1000);
})();
