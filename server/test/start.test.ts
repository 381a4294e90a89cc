import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** Starts the real entrypoint, as `npm start` does, and returns what it printed once it listens. */
function start(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    // A start that never prints its banner is a failure, not a hang: the child is killed with it.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner in time:\n${output}`));
    }, 120_000);
    const check = () => {
      if (output.includes('Switchboard is running')) {
        clearTimeout(timer);
        resolve({ child, output: () => output, exited });
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      resolve({ child, output: () => output, exited });
    });
  });
}

/** SIGTERM, then the exit code; a process still running after 30 s is killed and the test fails saying so. */
async function stop(run: { child: ChildProcess; output: () => string; exited: Promise<number | null> }): Promise<number | null> {
  run.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 30_000)));
  const code = await Promise.race([run.exited, hung]);
  clearTimeout(timer);
  if (code === 'hung') {
    run.child.kill('SIGKILL');
    throw new Error(`did not shut down within 30 s of SIGTERM:\n${run.output()}`);
  }
  return code;
}

/** The address the banner names (PORT=0 lets the server take any free port), on the IPv4 loopback it listens on. */
function baseUrl(output: string): string {
  const url = /Switchboard is running at (http:\/\/\S+)/.exec(output)?.[1];
  assert.ok(url, output);
  return url.replace('//localhost:', '//127.0.0.1:');
}

describe('npm start', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('starts on an empty data directory, prints the generated admin password once, and it signs in', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-start-'));
    dirs.push(dataDir);
    const first = await start({ DATA_DIR: dataDir, PORT: '0', SEED_DEMO: 'true' });
    const password = /admin@example\.com \/ (\S+)/.exec(first.output())?.[1];
    assert.ok(password, first.output());
    const base = baseUrl(first.output());
    try {
      const landing = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
      assert.equal(landing.status, 200);
      assert.match(await landing.text(), /<title>Switchboard/);
      const signIn = await fetch(`${base}/api/console/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: base },
        body: JSON.stringify({ email: 'admin@example.com', password }),
      });
      assert.equal(signIn.status, 200);
      const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
      const staff = await fetch(`${base}/api/console/staff?limit=100`, { headers: { cookie } });
      assert.ok(((await staff.json()) as { items: unknown[] }).items.length > 5, 'demo data was seeded');
      const get = async <T>(path: string): Promise<T> => {
        const response = await fetch(`${base}/api${path}`, { headers: { cookie } });
        assert.equal(response.status, 200, path);
        return (await response.json()) as T;
      };

      // Every demo agency has an owner, and its streamers are its members.
      type Item = { id: string; agencyId: string | null };
      const agencies = (await get<{ items: Item[] }>('/console/creators/agencies?limit=100')).items;
      const streamers = (await get<{ items: Item[] }>('/console/creators/streamers?limit=200')).items;
      assert.equal(agencies.length, 4);
      for (const agency of agencies) {
        const { memberList } = await get<{ memberList: { personId: string; role: string }[] }>(`/console/organizations/${agency.id}`);
        assert.equal(memberList.filter((m) => m.role === 'owner').length, 1, 'one owner');
        const members = new Set(memberList.map((m) => m.personId));
        const own = streamers.filter((s) => s.agencyId === agency.id);
        assert.ok(own.length > 0 && own.every((s) => members.has(s.id)), 'its streamers are members');
      }

      // Streamers have ratings and a last-seen history, and the presence simulator keeps two of them online
      // over real client sockets (it may be between hand-overs for a moment).
      type Listed = { rating: number; online: boolean; lastSeenAt: string | null };
      const listed = (await get<{ items: Listed[] }>('/console/creators/streamers?limit=200')).items;
      assert.ok(new Set(listed.map((s) => s.rating)).size > 10, 'ratings spread over the range');
      assert.ok(
        listed.every((s) => s.lastSeenAt !== null),
        'every streamer was seen',
      );
      let online = 0;
      for (let tries = 0; tries < 50 && online < 2; tries += 1) {
        online = (await get<{ items: Listed[] }>('/console/creators/streamers?limit=200')).items.filter((s) => s.online).length;
        if (online < 2) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(online, 2, 'two demo streamers online');

      // Conversations to moderate, one with a report waiting in the chat_report queue.
      const chats = await get<{ items: unknown[] }>('/console/chats?limit=50');
      assert.ok(chats.items.length >= 6, 'demo conversations');
      assert.equal((await get<{ items: unknown[] }>('/console/chats?reported=true')).items.length, 1, 'one reported conversation');

      // Payout applications in every state, their holds on the ledger as the states say.
      for (const state of ['requested', 'approved', 'paid', 'rejected', 'cancelled']) {
        const { items } = await get<{ items: { state: string; amount: number; fee: number }[] }>(`/console/payouts?state=${state}`);
        assert.ok(items.length >= 1, `a ${state} application`);
        assert.ok(items.every((a) => a.state === state && a.amount > a.fee));
      }

      // Calls of the past days, none left open, each billed point by point; the ledger's own check passes.
      type DemoCall = { id: string; state: string; endReason: string | null; cost: number; requestedAt: string };
      const demoCalls = (await get<{ items: DemoCall[] }>('/console/calls?limit=100')).items;
      assert.ok(demoCalls.length >= 15, 'demo calls');
      assert.ok(demoCalls.every((c) => c.state !== 'requested' && c.state !== 'accepted' && c.state !== 'connected'));
      assert.ok(demoCalls.every((c) => Date.parse(c.requestedAt) < Date.now() - 60_000));
      for (const outcome of ['declined', 'missed', 'cancelled', 'insufficient_funds', 'moderator'])
        assert.ok(
          demoCalls.some((c) => c.state === outcome || c.endReason === outcome),
          outcome,
        );
      const longest = demoCalls.reduce((a, b) => (b.cost > a.cost ? b : a));
      const { points } = await get<{ points: Array<{ caller: number }> }>(`/console/calls/${longest.id}`);
      assert.ok(points.length > 3);
      assert.equal(
        points.reduce((sum, p) => sum + p.caller, 0),
        longest.cost,
      );
      assert.equal((await get<{ ok: boolean }>('/console/ledger/check')).ok, true, 'the ledger check passes');
    } finally {
      assert.equal(await stop(first), 0, 'shuts down cleanly');
    }

    const second = await start({ DATA_DIR: dataDir, PORT: '0' });
    const secondBase = baseUrl(second.output());
    try {
      assert.doesNotMatch(second.output(), /admin@example\.com \//, 'the password is printed only once');
      const signIn = await fetch(`${secondBase}/api/console/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: secondBase },
        body: JSON.stringify({ email: 'admin@example.com', password }),
      });
      assert.equal(signIn.status, 200, 'data persisted in DATA_DIR');

      // A second process on the same embedded database would lose writes: it is refused.
      const intruder = await start({ DATA_DIR: dataDir, PORT: '0' });
      assert.equal(await intruder.exited, 2);
      assert.match(intruder.output(), /DATA_DIR: .* is in use by process \d+/);
    } finally {
      await stop(second);
    }
  });

  it('refuses a bad configuration with a message naming the variable', async () => {
    const run = await start({ PORT: 'eighty', DATA_DIR: join(tmpdir(), 'unused') });
    assert.equal(await run.exited, 2);
    assert.match(run.output(), /PORT/);
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-mod-'));
    dirs.push(dataDir);
    const modules = await start({ MODULES: 'nonsense', DATA_DIR: dataDir });
    assert.equal(await modules.exited, 2);
    assert.match(modules.output(), /MODULES: unknown module\(s\) nonsense/);
  });
});
