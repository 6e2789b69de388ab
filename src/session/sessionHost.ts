// Starting training sessions in the extension host: their own engine worker (a panel cancelling its requests
// restarts the shared one, which would end the sessions in it) and the optiscope.breakpoints.* settings.
import * as vscode from 'vscode';
import { createEngineClient } from '../engine/client';
import type { EngineClient } from '../engine/engineClient';
import { trainingSessions } from './sessions';
import type { Scenario } from '../shared/scenarioModel';
import { TrainingSession, type TrainingSessionOptions } from './trainingSession';

let sessionClient: EngineClient | undefined;

function sessionEngine(context: vscode.ExtensionContext): EngineClient {
  if (!sessionClient) {
    context.subscriptions.push({
      dispose: () => {
        void trainingSessions.active?.dispose();
        sessionClient = undefined;
      },
    });
    sessionClient = createEngineClient(context);
  }
  return sessionClient;
}

/** optiscope.breakpoints.pauseAllRuns (default true). */
export function trainingSessionOptions(): TrainingSessionOptions {
  const config = vscode.workspace.getConfiguration('optiscope.breakpoints');
  return { pauseAllRuns: config.get<boolean>('pauseAllRuns') !== false };
}

/**
 * Opens a session for the scenario (runs wait at step 0), makes it the active one (trainingSessions.active)
 * and ends the previous active session. Follows changes of optiscope.breakpoints.pauseAllRuns.
 */
export async function startTrainingSession(
  context: vscode.ExtensionContext,
  scenario: Scenario,
  options: TrainingSessionOptions = {},
): Promise<TrainingSession> {
  const session = await TrainingSession.open(sessionEngine(context), scenario, { ...trainingSessionOptions(), ...options });
  const watcher = vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration('optiscope.breakpoints.pauseAllRuns')) session.setPauseAllRuns(trainingSessionOptions().pauseAllRuns !== false);
  });
  session.onDidDispose(() => watcher.dispose());
  const previous = trainingSessions.active;
  trainingSessions.add(session);
  void previous?.dispose();
  return session;
}
