// Starts an isolated code-server on 127.0.0.1 and stops it (its whole process group) when asked,
// on exit, and on SIGINT/SIGTERM. Everything it writes goes to a temp dir that is removed afterwards.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Where scripts/setup.sh installs it (outside the repo: see there).
const cacheDir = process.env.OPTISCOPE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'optiscope');
const codeServerBin = process.env.CODE_SERVER_BIN || join(cacheDir, 'code-server-4.100.3', 'node_modules', '.bin', 'code-server');
const startTimeoutMs = 60_000;

const running = new Set();
function killAllNow() {
  for (const server of running) server.killNow();
}
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    killAllNow();
    process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 })[signal]);
  });
}

/**
 * @param {{ settings?: Record<string, unknown>, workspace?: string, port?: number }} [options]
 *   settings: the user settings.json; workspace: folder to open (default: an empty temp folder);
 *   port: 0 picks a free one.
 */
export async function startCodeServer({ settings = {}, workspace, port = 0 } = {}) {
  if (!existsSync(codeServerBin)) {
    throw new Error(`code-server is not installed at ${codeServerBin}; run \`npm test\` or scripts/start.sh, which install it`);
  }
  const temp = mkdtempSync(join(tmpdir(), 'optiscope-code-server-'));
  const dir = (name) => {
    const path = join(temp, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const home = dir('home');
  const userDataDir = dir('user-data');
  const extensionsDir = dir('extensions');
  const folder = workspace ?? dir('workspace');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  // Built-in extensions send telemetry from the extension host despite --disable-telemetry.
  const userSettings = { 'telemetry.telemetryLevel': 'off', ...settings };
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(userSettings, null, 2));

  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VSCODE_') && key !== 'ELECTRON_RUN_AS_NODE'));
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: dir('xdg/config'),
    XDG_DATA_HOME: dir('xdg/data'),
    XDG_CACHE_HOME: dir('xdg/cache'),
    EXTENSIONS_GALLERY: '{}',
  });
  const args = [
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    folder,
  ];
  const logPath = join(temp, 'code-server.log');
  const log = createWriteStream(logPath);
  const child = spawn(codeServerBin, args, { env, cwd: home, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });

  let exited = false;
  const server = {
    killNow() {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the process group has already exited
      }
      running.delete(server);
      rmSync(temp, { recursive: true, force: true });
    },
  };
  running.add(server);
  child.on('exit', () => (exited = true));

  let output = '';
  const listening = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      log.write(chunk);
      output += chunk;
      const match = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => reject(new Error(`code-server exited (${code ?? signal}) before listening:\n${output}`)));
    setTimeout(() => reject(new Error(`code-server did not listen within ${startTimeoutMs / 1000}s:\n${output}`)), startTimeoutMs).unref();
  });
  let actualPort;
  try {
    actualPort = await listening;
  } catch (error) {
    server.killNow();
    throw error;
  }
  const origin = `http://127.0.0.1:${actualPort}`;
  const remote = (path) => `vscode-remote://127.0.0.1:${actualPort}${path}`;

  return {
    workspace: folder,
    /** The user data folder (settings, and the logs of the server and its extension host). */
    userDataDir,
    /** Workbench URL; with extensionTestsPath the workbench runs that module's run() and reports its result. */
    workbenchUrl({ extensionDevelopmentPath = repoRoot, extensionTestsPath } = {}) {
      const payload = [['extensionDevelopmentPath', remote(extensionDevelopmentPath)], ['skipWelcome', 'true']];
      if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
      return `${origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    },
    /** The server's own output so far (also in its log file until stop()). */
    log: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : output),
    /** Resolves when the process group is gone; SIGTERM first, SIGKILL after 5 s. */
    async stop() {
      if (!exited) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // the process group has already exited
        }
        const timer = setTimeout(() => server.killNow(), 5000);
        await gone;
        clearTimeout(timer);
      }
      // Helpers code-server started in its group may outlive it: kill the group, then clean up.
      server.killNow();
      log.end();
    },
  };
}
