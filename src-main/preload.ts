/**
 * Sandboxed preload: exposes one named function per contract method and a typed event
 * subscription that returns an unsubscribe. Never exposes ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT, IPC_INVOKE, methodNames, type EventName, type Events, type PreloadApi } from './ipc/contract.ts';

const api: Record<string, unknown> = {};
for (const name of methodNames) {
  api[name] = (args: unknown) => ipcRenderer.invoke(IPC_INVOKE, name, args ?? {});
}
api.on = <E extends EventName>(event: E, listener: (payload: Events[E]) => void): (() => void) => {
  const wrapped = (_e: IpcRendererEvent, name: string, payload: Events[E]) => {
    if (name === event) listener(payload);
  };
  ipcRenderer.on(IPC_EVENT, wrapped);
  return () => ipcRenderer.removeListener(IPC_EVENT, wrapped);
};

contextBridge.exposeInMainWorld('countersign', api as PreloadApi);
