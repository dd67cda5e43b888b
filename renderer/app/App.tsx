import type { ApiClient } from '../api/client';
import { SystemInfoPanel } from '../system/SystemInfoPanel';

export function App({ api }: { api: ApiClient }) {
  return (
    <div className="app">
      <header className="app-header">
        <span className="brand">Vigil</span>
      </header>
      <main className="app-main">
        <SystemInfoPanel api={api} />
      </main>
    </div>
  );
}
