// A lesson's .loss text as a real file in the extension's global storage (lessons/<id>.loss): it opens with no
// "Untitled" name and nothing to save, edits are saved there as they are made, and "Save As" copies it anywhere.
// Global storage is outside the workspace, so this works in untrusted and virtual workspaces and in the browser
// (where it is the user-data file system) alike; nothing is written into the user's project.
import * as vscode from 'vscode';
import { exists } from '../examples';
import type { Lesson } from '../shared/lessons';

export class LessonFiles {
  constructor(private readonly storage: vscode.Uri) {}

  private get folder(): vscode.Uri {
    return vscode.Uri.joinPath(this.storage, 'lessons');
  }

  uriOf(lesson: Lesson): vscode.Uri {
    return vscode.Uri.joinPath(this.folder, `${lesson.id}.loss`);
  }

  /** Whether a document is one of the lesson files (its edits are saved as they are made). */
  isLessonFile(uri: vscode.Uri): boolean {
    const folder = this.folder.toString();
    return uri.toString().startsWith(`${folder}/`);
  }

  /**
   * The lesson's document. Written from the lesson on first use and with `restore`; otherwise the file keeps the
   * user's earlier edits (`edited` says so), and an open document is returned as it is.
   */
  async open(lesson: Lesson, restore = false): Promise<{ document: vscode.TextDocument; edited: boolean }> {
    const uri = this.uriOf(lesson);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (restore) {
      if (open) {
        const edit = new vscode.WorkspaceEdit();
        edit.replace(uri, new vscode.Range(open.positionAt(0), open.positionAt(open.getText().length)), lesson.source);
        await vscode.workspace.applyEdit(edit);
        await open.save();
        return { document: open, edited: false };
      }
      await this.write(uri, lesson.source);
    } else if (!open && !(await exists(uri))) {
      await this.write(uri, lesson.source);
    }
    const document = open ?? (await vscode.workspace.openTextDocument(uri));
    return { document, edited: document.getText() !== lesson.source };
  }

  private async write(uri: vscode.Uri, text: string): Promise<void> {
    await vscode.workspace.fs.createDirectory(this.folder);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  }
}
