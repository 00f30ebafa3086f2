/**
 * What shows instead of a blank app when rendering fails: what happened and a reload. A page
 * whose code could not be loaded (an old tab after a deploy: its chunk is gone) reloads once by
 * itself, which brings the new build; if that does not help, the offer stays.
 */
import { Component, type ReactNode } from 'react';
import { useT } from '../lib/i18n';
import { ChunkLoadError } from '../lib/lazy-page';

/** When the page last reloaded itself for a missing chunk: once a minute at most, no loop. */
const RELOADED_AT = 'chunk-reload-at';
const reloadedLately = () => Date.now() - Number(sessionStorage.getItem(RELOADED_AT)) < 60_000;

function Failed({ chunk }: { chunk: boolean }) {
  const t = useT();
  return (
    <div role="alert" className="notice error">
      <p>{t(chunk ? 'chunkFailed' : 'pageFailed')}</p>
      <button type="button" onClick={() => location.reload()}>{t('reloadPage')}</button>
    </div>
  );
}

interface State {
  error: Error | null;
  /** A missing chunk, not reloaded for lately: the page reloads, showing nothing meanwhile. */
  reloading: boolean;
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null, reloading: false };

  static getDerivedStateFromError(error: Error): State {
    return { error, reloading: error instanceof ChunkLoadError && !reloadedLately() };
  }

  override componentDidCatch() {
    if (!this.state.reloading) return;
    sessionStorage.setItem(RELOADED_AT, String(Date.now()));
    location.reload();
  }

  override render() {
    const { error, reloading } = this.state;
    if (reloading) return null;
    return error ? <Failed chunk={error instanceof ChunkLoadError} /> : this.props.children;
  }
}
