/** Which listener a connection arrived on; Metadata advertises addresses of the same listener. */
export type ListenerName = string;

export interface Endpoint {
  host: string;
  port: number;
}
