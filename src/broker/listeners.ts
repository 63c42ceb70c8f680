/** Which listener a connection arrived on; Metadata advertises addresses of the same listener. */
export type ListenerName = 'PLAINTEXT' | 'LOCAL';

export interface Endpoint {
  host: string;
  port: number;
}
