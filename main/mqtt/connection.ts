// One MQTT 3.1.1 session over TCP (mqtt://) or TLS (mqtts://): connect, publish at QoS 0 or 1, keep
// alive, close. It never reconnects: the publisher decides when to try again. Every failure ends the
// session with one 'close' event carrying the reason in the operator's words.
import { EventEmitter } from 'node:events';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import {
  CONNACK_REASONS,
  DISCONNECT,
  encodeConnect,
  encodePublish,
  encodePuback,
  encodeSubscribe,
  PacketReader,
  PINGREQ,
  type ConnectOptions,
  type Incoming,
  type PublishPacket,
} from './packets.js';

export interface BrokerAddress {
  host: string;
  port: number;
  tls: boolean;
}

export interface SessionOptions extends ConnectOptions {
  broker: BrokerAddress;
  /** How long to wait for the TCP connection and the CONNACK, ms. */
  connectTimeoutMs?: number;
}

export class MqttSession extends EventEmitter<{
  close: [string];
  message: [PublishPacket];
}> {
  private socket: Socket | null = null;
  private readonly reader = new PacketReader();
  private nextId = 1;
  /** Waiting for the broker's PUBACK / SUBACK, by packet id; all rejected when the session ends. */
  private readonly acks = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly subacks = new Map<number, { resolve: (granted: number[]) => void; reject: (e: Error) => void }>();
  private keepAlive: NodeJS.Timeout | null = null;
  private lastReceived = Date.now();
  private closed = false;
  private connected = false;

  /** Resolves once the broker accepted the session; rejects with the reason otherwise. */
  open(o: SessionOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      const { host, port, tls } = o.broker;
      const socket = tls ? tlsConnect({ host, port, servername: host }) : tcpConnect({ host, port });
      this.socket = socket;
      socket.setNoDelay(true);
      const timer = setTimeout(
        () => this.end(`no answer from the broker at ${host}:${port} within ${o.connectTimeoutMs ?? 5000} ms`),
        o.connectTimeoutMs ?? 5000,
      );
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(why));
      };
      this.once('close', fail);
      socket.once(tls ? 'secureConnect' : 'connect', () => socket.write(encodeConnect(o)));
      socket.on('data', (chunk: Buffer) => {
        this.lastReceived = Date.now();
        let packets: Incoming[];
        try {
          packets = this.reader.push(chunk);
        } catch (e) {
          this.end((e as Error).message);
          return;
        }
        for (const p of packets) {
          if (p.type === 'connack') {
            if (p.returnCode !== 0) {
              this.end(CONNACK_REASONS[p.returnCode] ?? `the broker refused the connection (code ${p.returnCode})`);
              return;
            }
            clearTimeout(timer);
            this.off('close', fail);
            this.connected = true;
            this.startKeepAlive(o.keepAliveSeconds);
            resolve();
          } else this.handle(p);
        }
      });
      socket.on('error', (e: NodeJS.ErrnoException) => this.end(describeSocketError(e, host, port)));
      socket.on('close', () => this.end(`the broker at ${host}:${port} closed the connection`));
    });
  }

  get isOpen(): boolean {
    return this.connected && !this.closed;
  }

  /** QoS 0 resolves once written; QoS 1 once the broker acknowledged it. Rejects when the session ends first. */
  publish(topic: string, payload: string | Buffer, qos: 0 | 1, retain: boolean): Promise<void> {
    const socket = this.socket;
    if (!socket || !this.isOpen) return Promise.reject(new Error('not connected'));
    const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    if (qos === 0) {
      socket.write(encodePublish({ topic, payload: body, qos, retain }));
      return Promise.resolve();
    }
    const packetId = this.allocateId();
    return new Promise((resolve, reject) => {
      this.acks.set(packetId, { resolve, reject });
      socket.write(encodePublish({ topic, payload: body, qos, retain, packetId }));
    });
  }

  /** For tests and tools: subscribe to topic filters at QoS 1; resolves with the granted QoS per filter. */
  subscribe(filters: string[]): Promise<number[]> {
    const socket = this.socket;
    if (!socket || !this.isOpen) return Promise.reject(new Error('not connected'));
    const packetId = this.allocateId();
    return new Promise((resolve, reject) => {
      this.subacks.set(packetId, { resolve, reject });
      socket.write(encodeSubscribe(packetId, filters));
    });
  }

  /** Bytes handed to the socket and not yet sent: a slow broker shows here. */
  get pendingBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  /** Ends the session politely (the broker then does not send the last will). */
  async close(): Promise<void> {
    if (this.closed) return;
    const socket = this.socket;
    if (socket && this.isOpen) await new Promise<void>((r) => socket.write(DISCONNECT, () => r()));
    this.end('closed by Vigil');
  }

  private allocateId(): number {
    for (;;) {
      const id = this.nextId;
      this.nextId = id === 0xffff ? 1 : id + 1;
      if (!this.acks.has(id) && !this.subacks.has(id)) return id;
    }
  }

  private handle(p: Incoming): void {
    switch (p.type) {
      case 'puback': {
        const done = this.acks.get(p.packetId);
        this.acks.delete(p.packetId);
        done?.resolve();
        break;
      }
      case 'suback': {
        const done = this.subacks.get(p.packetId);
        this.subacks.delete(p.packetId);
        done?.resolve(p.granted);
        break;
      }
      case 'publish':
        if (p.packet.qos === 1 && p.packet.packetId !== undefined) this.socket?.write(encodePuback(p.packet.packetId));
        this.emit('message', p.packet);
        break;
      default:
        break;
    }
  }

  private startKeepAlive(seconds: number): void {
    if (seconds <= 0) return;
    this.keepAlive = setInterval(
      () => {
        // No packet from the broker for 1.5 keep-alive periods: the connection is dead even if TCP has not noticed.
        if (Date.now() - this.lastReceived > seconds * 1500) this.end(`the broker did not answer for ${Math.round(seconds * 1.5)} s`);
        else this.socket?.write(PINGREQ);
      },
      (seconds * 1000) / 2,
    );
    this.keepAlive.unref();
  }

  private end(why: string): void {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.socket?.destroy();
    this.emit('close', why);
    // After 'close': the publisher puts its unacknowledged events back before their promises settle.
    for (const w of [...this.acks.values(), ...this.subacks.values()]) w.reject(new Error(why));
    this.acks.clear();
    this.subacks.clear();
  }
}

function describeSocketError(e: NodeJS.ErrnoException, host: string, port: number): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return `nothing accepts connections at ${host}:${port} (is the broker running?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the broker's host name '${host}' cannot be resolved`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `the broker at ${host}:${port} cannot be reached`;
    case 'ECONNRESET':
      return `the broker at ${host}:${port} reset the connection`;
    default:
      return `the connection to the broker at ${host}:${port} failed: ${e.message}`;
  }
}
