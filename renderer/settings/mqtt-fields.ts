// The MQTT form's pure parts: the broker URL shown as an address and a user name (the API keeps the
// user inside the URL and the password apart, never shown), and the publisher's state in plain words.
import type { MqttStatus } from '../../main/api/contract';

/** The URL without its user and password, and the user name: what the form's two fields show. */
export function splitBrokerUser(url: string): { address: string; username: string } {
  if (!url) return { address: '', username: '' };
  try {
    const u = new URL(url);
    const username = decodeURIComponent(u.username);
    u.username = '';
    u.password = '';
    return { address: u.toString().replace(/\/$/, ''), username };
  } catch {
    return { address: url, username: '' };
  }
}

/** The URL to send: the address with the user name put in (no password: that goes apart). An address that is
 * not a URL is sent as typed, so the API's words about it show under the field. */
export function joinBrokerUser(address: string, username: string): string {
  const a = address.trim();
  if (!a || !username) return a;
  try {
    const u = new URL(a);
    u.username = username;
    return u.toString().replace(/\/$/, '');
  } catch {
    return a;
  }
}

/** The publisher's state for the status line: connected / reconnecting in N s / backlog / dropped. */
export function mqttStatusWords(s: MqttStatus | null, now: number): string {
  if (!s) return 'MQTT status unavailable';
  const queue = `backlog ${s.backlog} of ${s.backlogLimit} · ${s.dropped} dropped`;
  switch (s.state) {
    case 'off':
      return 'Off: nothing is published';
    case 'connecting':
      return `Connecting to ${s.broker ?? 'the broker'}… · ${queue}`;
    case 'connected':
      return `Connected to ${s.broker ?? 'the broker'} · ${s.published} published · ${queue}`;
    case 'waiting': {
      const wait = s.retryAt === null ? 'soon' : `in ${Math.max(0, Math.ceil((s.retryAt - now) / 1000))} s`;
      return `Reconnecting ${wait}${s.lastError ? ` (${s.lastError})` : ''} · ${queue}`;
    }
  }
}
