// MQTT 3.1.1 packets (OASIS standard, 2014): the few a publisher needs, encoded into and decoded from
// bytes. Only what Vigil sends (CONNECT, PUBLISH, PINGREQ, DISCONNECT, SUBSCRIBE for tests and tools)
// and what a broker answers (CONNACK, PUBACK, SUBACK, PINGRESP, PUBLISH) are handled.

export const PACKET = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  subscribe: 8,
  suback: 9,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
} as const;

/** The largest remaining length the protocol can express (four length bytes). */
export const MAX_REMAINING_LENGTH = 268_435_455;

/** CONNACK return codes, in the operator's words. */
export const CONNACK_REASONS: Record<number, string> = {
  1: 'the broker does not speak MQTT 3.1.1',
  2: 'the broker rejected the client id',
  3: 'the broker is unavailable',
  4: 'the broker rejected the user name or password',
  5: 'the broker refused this client: not authorised (a wrong user name or password, or no access for it)',
};

export interface Will {
  topic: string;
  payload: string;
  retain: boolean;
  qos: 0 | 1;
}

export interface ConnectOptions {
  clientId: string;
  keepAliveSeconds: number;
  username?: string | null;
  password?: string | null;
  will?: Will;
}

export interface PublishPacket {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
  /** Set for QoS 1. */
  packetId?: number;
}

export type Incoming =
  | { type: 'connack'; sessionPresent: boolean; returnCode: number }
  | { type: 'puback'; packetId: number }
  | { type: 'suback'; packetId: number; granted: number[] }
  | { type: 'pingresp' }
  | { type: 'publish'; packet: PublishPacket };

export class ProtocolError extends Error {}

function lengthBytes(n: number): Buffer {
  if (n > MAX_REMAINING_LENGTH) throw new ProtocolError(`an MQTT packet of ${n} bytes is larger than the protocol allows`);
  const out: number[] = [];
  do {
    let digit = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 0x80;
    out.push(digit);
  } while (n > 0);
  return Buffer.from(out);
}

function utf8(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  if (body.length > 0xffff) throw new ProtocolError('an MQTT string is longer than 65535 bytes');
  const out = Buffer.alloc(2 + body.length);
  out.writeUInt16BE(body.length, 0);
  body.copy(out, 2);
  return out;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}

function packet(firstByte: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([firstByte]), lengthBytes(body.length), body]);
}

export function encodeConnect(o: ConnectOptions): Buffer {
  let flags = 0x02; // clean session: Vigil keeps its own backlog, the broker keeps nothing for it
  const payload = [utf8(o.clientId)];
  if (o.will) {
    flags |= 0x04 | (o.will.qos << 3) | (o.will.retain ? 0x20 : 0);
    payload.push(utf8(o.will.topic), utf8(o.will.payload));
  }
  if (o.username) {
    flags |= 0x80;
    payload.push(utf8(o.username));
    if (o.password) {
      flags |= 0x40;
      payload.push(utf8(o.password));
    }
  }
  return packet(PACKET.connect << 4, utf8('MQTT'), Buffer.from([4, flags]), u16(o.keepAliveSeconds), ...payload);
}

export function encodePublish(p: PublishPacket, dup = false): Buffer {
  const first = (PACKET.publish << 4) | (dup ? 0x08 : 0) | (p.qos << 1) | (p.retain ? 1 : 0);
  const id = p.qos > 0 ? [u16(p.packetId ?? 0)] : [];
  return packet(first, utf8(p.topic), ...id, p.payload);
}

export function encodeSubscribe(packetId: number, filters: string[]): Buffer {
  return packet((PACKET.subscribe << 4) | 0x02, u16(packetId), ...filters.flatMap((f) => [utf8(f), Buffer.from([1])]));
}

export function encodePuback(packetId: number): Buffer {
  return packet(PACKET.puback << 4, u16(packetId));
}

export const PINGREQ = Buffer.from([PACKET.pingreq << 4, 0]);
export const DISCONNECT = Buffer.from([PACKET.disconnect << 4, 0]);

/** Splits a byte stream into packets; a malformed packet throws ProtocolError (the connection is then closed). */
export class PacketReader {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly maxPacketBytes = 1 << 20) {}

  push(chunk: Buffer): Incoming[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const out: Incoming[] = [];
    for (;;) {
      const header = this.header();
      if (!header) break;
      const { first, length, offset } = header;
      if (this.buffered.length < offset + length) break;
      const body = this.buffered.subarray(offset, offset + length);
      this.buffered = this.buffered.subarray(offset + length);
      const parsed = decode(first, body);
      if (parsed) out.push(parsed);
    }
    return out;
  }

  private header(): { first: number; length: number; offset: number } | null {
    const b = this.buffered;
    if (b.length < 2) return null;
    let length = 0;
    let multiplier = 1;
    for (let i = 1; i <= 4; i++) {
      if (i >= b.length) return null;
      const digit = b[i] as number;
      length += (digit & 0x7f) * multiplier;
      multiplier *= 128;
      if ((digit & 0x80) === 0) {
        if (length > this.maxPacketBytes) throw new ProtocolError(`the broker sent a packet of ${length} bytes (more than ${this.maxPacketBytes})`);
        return { first: b[0] as number, length, offset: i + 1 };
      }
    }
    throw new ProtocolError('the broker sent a packet length of more than four bytes');
  }
}

function need(body: Buffer, n: number, what: string): void {
  if (body.length < n) throw new ProtocolError(`the broker sent a short ${what} packet`);
}

function decode(first: number, body: Buffer): Incoming | null {
  const type = first >> 4;
  switch (type) {
    case PACKET.connack:
      need(body, 2, 'CONNACK');
      return { type: 'connack', sessionPresent: ((body[0] as number) & 1) === 1, returnCode: body[1] as number };
    case PACKET.puback:
      need(body, 2, 'PUBACK');
      return { type: 'puback', packetId: body.readUInt16BE(0) };
    case PACKET.suback:
      need(body, 3, 'SUBACK');
      return { type: 'suback', packetId: body.readUInt16BE(0), granted: [...body.subarray(2)] };
    case PACKET.pingresp:
      return { type: 'pingresp' };
    case PACKET.publish: {
      need(body, 2, 'PUBLISH');
      const qos = (first >> 1) & 3;
      if (qos > 1) throw new ProtocolError('the broker sent a QoS 2 message, which this client never subscribes to');
      const topicLength = body.readUInt16BE(0);
      need(body, 2 + topicLength + (qos ? 2 : 0), 'PUBLISH');
      const topic = body.subarray(2, 2 + topicLength).toString('utf8');
      let at = 2 + topicLength;
      let packetId: number | undefined;
      if (qos) {
        packetId = body.readUInt16BE(at);
        at += 2;
      }
      return {
        type: 'publish',
        packet: {
          topic,
          payload: Buffer.from(body.subarray(at)),
          qos: qos as 0 | 1,
          retain: (first & 1) === 1,
          ...(packetId !== undefined ? { packetId } : {}),
        },
      };
    }
    default:
      throw new ProtocolError(`the broker sent an unexpected packet (type ${type})`);
  }
}
