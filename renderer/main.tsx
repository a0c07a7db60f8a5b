/** Renderer entry: make sure `window.api` exists (preload in Electron, HTTP bridge in a browser), then render. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { installBridgeApi } from './bridge-client';
import { App } from './App';
import { I18nProvider } from './i18n/I18nProvider';
import './styles.css';

async function start(): Promise<void> {
  if (!window.api) await installBridgeApi();
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root');
  createRoot(root).render(
    <StrictMode>
      <I18nProvider>
        <App />
      </I18nProvider>
    </StrictMode>,
  );
}

void start();
