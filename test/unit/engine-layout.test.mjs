// The core's memory layout and exports are written twice by hand: in AssemblyScript (core/assembly/layout.ts,
// breakpoints.ts, run.ts) and in TypeScript (src/engine/layout.ts, CoreExports in src/engine/core.ts, the
// breakpoint context in src/engine/breakpoints.ts). A mismatch gives wrong numbers, not an error: this test
// reads both sides (the AssemblyScript source, the compiled dist/core.wasm, the TypeScript modules) and fails
// naming the first constant, slot or export on which they disagree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const root = fileURLToPath(new URL('../../', import.meta.url));
const layout = await loadTs('src/engine/layout.ts');
const { contextNames, stateNames } = await loadTs('src/engine/breakpoints.ts');
const { UNARY_IMPORTS, BINARY_IMPORTS } = await loadTs('src/loss/builtins.ts');
const { MAX_CONDITIONS } = await loadTs('src/loss/conditions.ts');
const { MuonSlot, MUON_SLOTS } = await loadTs('src/engine/muon.ts');

/** `export const NAME: i32 = 3;` lines of an AssemblyScript file, as a Map NAME -> 3. */
function assemblyConstants(file) {
  const text = readFileSync(`${root}core/assembly/${file}`, 'utf8');
  return new Map([...text.matchAll(/^export const (\w+)(?::\s*\w+)?\s*=\s*(-?\d+);/gm)].map(([, name, value]) => [name, Number(value)]));
}

const core = new Map([...assemblyConstants('layout.ts'), ...assemblyConstants('breakpoints.ts'), ...assemblyConstants('muon.ts')]);
const checked = new Set();

/** The AssemblyScript constant (by name) has the TypeScript value; records it as checked. */
function same(asName, tsValue, tsName) {
  assert.ok(core.has(asName), `core/assembly has no constant ${asName} (TypeScript's ${tsName} = ${tsValue})`);
  assert.equal(tsValue, core.get(asName), `${asName} is ${core.get(asName)} in core/assembly but ${tsName} is ${tsValue} in src/engine`);
  checked.add(asName);
}

/** Every constant of core/assembly with this prefix has a TypeScript entry, and every TypeScript entry one in the core. */
function sameTable(prefix, table, tsName, asNameOf = (key) => prefix + key.toUpperCase()) {
  for (const [key, value] of Object.entries(table)) same(asNameOf(key), value, `${tsName}.${key}`);
  const missing = [...core.keys()].filter((name) => name.startsWith(prefix) && !checked.has(name));
  assert.deepEqual(missing, [], `core/assembly defines ${missing.join(', ')} with no entry in ${tsName}`);
}

test('optimizer ids, option slots, schedules, statuses, losses and hit modes are the same numbers on both sides', () => {
  sameTable('OPT_', layout.OptimizerId, 'OptimizerId');
  const optionNames = { initial_accumulator_value: 'O_INITIAL_ACCUMULATOR', decoupled_weight_decay: 'O_DECOUPLED' };
  sameTable('O_', layout.OptionSlot, 'OptionSlot', (key) => optionNames[key] ?? `O_${key.toUpperCase()}`);
  same('OPTION_SLOTS', layout.OPTION_SLOTS, 'OPTION_SLOTS');
  assert.equal(Object.keys(layout.OptionSlot).length, layout.OPTION_SLOTS, 'one OptionSlot per option slot');
  sameTable('SCHED_', layout.ScheduleId, 'ScheduleId');
  same('SCHEDULE_SLOTS', layout.SCHEDULE_SLOTS, 'SCHEDULE_SLOTS');
  sameTable('STATUS_', Object.fromEntries(layout.STATUS_NAMES.map((name, i) => [name, i])), 'STATUS_NAMES');
  same('STATUS_RUNNING', layout.STATUS_RUNNING, 'STATUS_RUNNING');
  same('STATE_VECTORS', layout.STATE_VECTORS, 'STATE_VECTORS');
  sameTable('LOSS_', layout.LossId, 'LossId');
  sameTable('ACT_', layout.Activation, 'Activation');
  sameTable('NETLOSS_', layout.NetworkLossId, 'NetworkLossId');
  sameTable('INIT_', layout.InitScheme, 'InitScheme');
  sameTable('DATASET_', layout.DatasetId, 'DatasetId');
  same('MUON_SLOTS', MUON_SLOTS, 'MUON_SLOTS');
  sameTable('MUON_', MuonSlot, 'MuonSlot (src/engine/muon.ts)');
  assert.equal(Object.keys(MuonSlot).length, MUON_SLOTS, 'one MuonSlot per Muon option slot');
  const hitNames = { atLeast: 'HIT_AT_LEAST', onChange: 'HIT_ON_CHANGE' };
  sameTable('HIT_', layout.HitMode, 'HitMode', (key) => hitNames[key] ?? `HIT_${key.toUpperCase()}`);
  same('MAX_BREAKPOINTS', MAX_CONDITIONS, 'MAX_CONDITIONS (src/loss/conditions.ts)');
  // STATE_SCALARS: the core keeps two scalars per run; the context (below) has a slot for each.
  const unchecked = [...core.keys()].filter((name) => !checked.has(name) && name !== 'STATE_SCALARS');
  assert.deepEqual(unchecked, [], `core/assembly constants with no TypeScript counterpart checked here: ${unchecked.join(', ')}`);
});

/** CoreExports (src/engine/core.ts) as { name: kind or parameter count }, read with the TypeScript compiler. */
function declaredExports() {
  const file = ts.createSourceFile('core.ts', readFileSync(`${root}src/engine/core.ts`, 'utf8'), ts.ScriptTarget.Latest);
  const iface = file.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === 'CoreExports');
  assert.ok(iface, 'src/engine/core.ts declares CoreExports');
  const declared = {};
  for (const member of iface.members) {
    if (ts.isMethodSignature(member)) declared[member.name.text] = member.parameters.length;
    else if (ts.isPropertySignature(member)) declared[member.name.text] = member.type.getText(file).replace('WebAssembly.', '').toLowerCase();
  }
  return declared;
}

test("the compiled core's exports are CoreExports: the same names, kinds and parameter counts", async () => {
  const module = await WebAssembly.compile(readFileSync(`${root}dist/core.wasm`));
  const instance = await WebAssembly.instantiate(module, { env: { abort: () => {} } });
  const compiled = {};
  for (const { name, kind } of WebAssembly.Module.exports(module)) {
    if (name.startsWith('math_')) continue; // CoreExports' index signature; checked against the loss compiler below
    compiled[name] = kind === 'function' ? instance.exports[name].length : kind;
  }
  assert.deepEqual(declaredExports(), compiled, 'CoreExports (src/engine/core.ts) = the exports of dist/core.wasm (core/assembly/index.ts)');

  // The loss compiler's math imports are linked to the core's math_ exports (Core.link).
  for (const [names, arity] of [[UNARY_IMPORTS, 1], [BINARY_IMPORTS, 2]]) {
    for (const name of names) {
      assert.equal(typeof instance.exports[`math_${name}`], 'function', `the core exports math_${name}, which compiled losses import`);
      assert.equal(instance.exports[`math_${name}`].length, arity, `math_${name} takes ${arity} argument(s)`);
    }
  }

  // A breakpoint condition reads the context the core fills (run.ts fillContext): one name per f64 slot.
  for (let dim = 1; dim <= 6; dim++) {
    const params = Array.from({ length: dim }, (_, i) => `p${i}`);
    const names = contextNames(params, stateNames(params, ['a', 'b', 'c'], 's'));
    assert.equal(names.length, instance.exports.runContextSize(dim), `contextNames (src/engine/breakpoints.ts) has one name per context slot at dim ${dim}`);
  }
});
