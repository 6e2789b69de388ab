// A lesson's explanation above the Playground, collapsible (so the charts fit beside an editor); it stays as the user
// left it (open or closed) while the lesson's file is edited.
import { findLesson } from '../../src/shared/lessons';
import { create } from '../dom/elements';
import { StudyChart } from './studyChart';

export class LessonBox {
  readonly element = create('section', { className: 'lesson', hidden: true });
  /** The lesson's study chart (lessons with a study), under the explanation. */
  readonly study = new StudyChart();

  /** Shows the lesson with this id (none: hidden). */
  show(id: string | undefined): void {
    const lesson = findLesson(id);
    this.element.hidden = !lesson;
    if (!lesson) {
      this.element.replaceChildren();
      return;
    }
    let section = this.element.querySelector('vscode-collapsible');
    if (!section || section.dataset.lesson !== lesson.id) {
      section = create('vscode-collapsible', { className: 'lesson-explanation', heading: lesson.title, open: true });
      section.dataset.lesson = lesson.id;
      this.element.replaceChildren(section, this.study.element);
      this.study.hide();
    }
    section.replaceChildren(
      create('div', { className: 'explanation' },
        ...lesson.explanation.map((text) => create('p', { textContent: text })),
        create('p', { className: 'hint', textContent: 'Edit the .loss file beside this panel: the panel follows it.' }),
      ),
    );
  }
}
