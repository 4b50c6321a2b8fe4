/**
 * What the stream handlers (kubectl logs, exec, attach, port-forward; see
 * ../streams.ts) ask the pod manager: which runtime container or sandbox serves
 * a request for a pod on this node. Implemented by the Kubelet.
 *
 * Errors follow the kubelet's wording, so kubectl prints what users know:
 * - pod not on this node: NotFoundError `pod "p" not found`
 * - no container given and the pod has several: InvalidError (BadRequest)
 *   `a container name must be specified for pod p, choose one of: [a b]`
 * - unknown container: InvalidError `container x is not valid for pod p`
 * - logs of a container that never ran: InvalidError
 *   `container "x" in pod "p" is waiting to start: ContainerCreating`
 *   (or the waiting reason, e.g. `trying and failing to pull image`)
 * - previous with no earlier instance: InvalidError
 *   `previous terminated container "x" in pod "p" not found`
 * - exec/attach into a container that is not running: InvalidError
 *   `container x is not running` ... (kubelet: `container not found ("x")` /
 *   `unable to upgrade connection: container not found`)
 */
export interface ContainerRef {
  containerId: string;
  /** Absolute CRI-format log file of this instance. */
  logPath: string;
  running: boolean;
  /** The container's spec flags, for attach. */
  stdin: boolean;
  tty: boolean;
}

export interface ContainerLookup {
  /** `container` may be omitted when the pod has exactly one container (or a default-container annotation). */
  findContainer(
    namespace: string,
    pod: string,
    container: string | undefined,
    options: { previous?: boolean; forExec?: boolean },
  ): Promise<ContainerRef>;
  /** The pod's running sandbox, for port-forward. */
  findSandbox(namespace: string, pod: string): Promise<string>;
}
