/** The lite kubelet (pod manager) of the edge agent; see ./kubelet.ts. */
export { Kubelet, type KubeletOptions } from './kubelet.ts';
export type { ContainerLookup, ContainerRef } from './lookup.ts';
