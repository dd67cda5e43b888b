// The one Pause/Resume control of the screens that follow the present (live wall, timeline): the same
// words, the same place (first in the toolbar), pressed while paused; `space` toggles it.
export function PauseButton({ paused, onToggle, testId }: { paused: boolean; onToggle(): void; testId: string }) {
  return (
    <button type="button" className="pause-button" data-testid={testId} aria-pressed={paused} onClick={onToggle} title="Space pauses and resumes">
      {paused ? 'Resume (space)' : 'Pause (space)'}
    </button>
  );
}
