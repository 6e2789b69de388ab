// Registers the "optiscope" debug type: F5 on a .loss file debugs its training runs (adapter inline, in the host).
import * as vscode from 'vscode';
import { DEBUG_TYPE, OptiscopeDebugSession, type AdapterHost, type LaunchArguments } from './adapter';
import { scenarioFromLoss } from './adapterScenario';
import { dataFileReader } from '../loss/dataFiles';
import { startTrainingSession } from '../session/sessionHost';
import type { TrainingSession } from '../session/trainingSession';
import type { ScenarioDefaults } from '../shared/scenario';

const LANGUAGE_ID = 'loss';

export const DEFAULT_CONFIGURATION = {
  type: DEBUG_TYPE,
  request: 'launch',
  name: 'Debug training run',
  program: '${file}',
};

/** The program's URI: a URI as written, else a file path. */
function programUri(program: string): vscode.Uri {
  return /^[a-z][\w+.-]*:/i.test(program) && !/^[a-z]:[\\/]/i.test(program) ? vscode.Uri.parse(program) : vscode.Uri.file(program);
}

function openDocument(program: string): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.fsPath === program || d.uri.toString() === program);
}

/** The open document's text (unsaved edits count), else the file's. */
async function readProgram(program: string): Promise<string> {
  const open = openDocument(program);
  if (open) return open.getText();
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(programUri(program)));
}

/** What the debugger needs from the panels, passed in by the extension's entry (the two folders stay apart). */
export interface DebuggerPanels {
  /** The user's defaults for a scenario (settings), applied to the file's runs. */
  scenarioDefaults(): ScenarioDefaults;
  /** Shows a debug session in the Playground: its controls and the debug toolbar drive the same runs. */
  showTrainingSession(session: TrainingSession): void;
}

export function registerDebugger(context: vscode.ExtensionContext, panels: DebuggerPanels): void {
  const host: AdapterHost = {
    readFile: readProgram,
    openSession: async ({ program, text, steps }) => {
      // the files it names (data, .optim), read by the editor's rules
      const files = await dataFileReader(context).read(openDocument(program)?.uri ?? programUri(program), text);
      const session = await startTrainingSession(context, scenarioFromLoss(text, panels.scenarioDefaults(), steps, files));
      panels.showTrainingSession(session);
      return session;
    },
  };
  const factory: vscode.DebugAdapterDescriptorFactory = {
    createDebugAdapterDescriptor: () => new vscode.DebugAdapterInlineImplementation(new OptiscopeDebugSession(host)),
  };
  const configurations: vscode.DebugConfigurationProvider = {
    provideDebugConfigurations: () => [DEFAULT_CONFIGURATION],
    resolveDebugConfiguration(_folder, config) {
      // F5 without a launch.json: debug the .loss file in the editor.
      if (!config.type && !config.request && !config.name) {
        const document = vscode.window.activeTextEditor?.document;
        if (document?.languageId !== LANGUAGE_ID) {
          void vscode.window.showInformationMessage('Optiscope: open a .loss file, then start debugging to step through its training runs.');
          return undefined;
        }
        return { ...DEFAULT_CONFIGURATION };
      }
      if (!config.program) {
        const document = vscode.window.activeTextEditor?.document;
        if (document?.languageId !== LANGUAGE_ID) {
          void vscode.window.showErrorMessage('Optiscope: set "program" in the launch configuration to a .loss file.');
          return undefined;
        }
        return { ...config, program: document.uri.fsPath } as vscode.DebugConfiguration & LaunchArguments;
      }
      return config;
    },
  };
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, factory),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, configurations, vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, { provideDebugConfigurations: () => [DEFAULT_CONFIGURATION] }, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  );
}
