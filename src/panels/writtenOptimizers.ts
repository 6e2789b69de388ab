// The written optimizers the pickers list (.optim files of the workspace, then the shipped examples), beside the
// engine's built-ins. No 'vscode': the panels' registration reads the files and hands their texts in.
import { writtenOptimizerInfo } from '../loss/optim';
import type { OptimizerInfo } from '../shared/engineApi';
import type { PanelEngine } from './scenarioRuns';

export class WrittenOptimizers {
  private listed: OptimizerInfo[] = [];
  private readonly engines = new WeakMap<PanelEngine, PanelEngine>();

  /** Lists these files (path and text), in order; a text that does not compile, or one listed already, is left out. */
  set(files: { file: string; text: string }[]): void {
    const listed: OptimizerInfo[] = [];
    for (const { file, text } of files) {
      if (listed.some((o) => o.source === text)) continue;
      const info = writtenOptimizerInfo(text, file);
      if (info) listed.push(info);
    }
    this.listed = listed;
  }

  list(): OptimizerInfo[] {
    return this.listed;
  }

  /** The engine whose optimizers() lists the built-ins and then the written optimizers (one wrapper per engine). */
  engine<E extends PanelEngine>(engine: E): E {
    let wrapped = this.engines.get(engine) as E | undefined;
    if (!wrapped) {
      const optimizers = () => [...engine.optimizers(), ...this.listed];
      wrapped = new Proxy(engine, {
        get(target, key) {
          if (key === 'optimizers') return optimizers;
          const value: unknown = Reflect.get(target, key, target);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
      this.engines.set(engine, wrapped);
    }
    return wrapped;
  }
}
