// The MQTT settings form's pure parts: the URL as address + user name (the password never in it),
// and the publisher's state in the words of the status line.
import { describe, expect, it } from 'vitest';
import type { MqttStatus } from '../../../main/api/contract.js';
import { joinBrokerUser, mqttStatusWords, splitBrokerUser } from '../../../renderer/settings/mqtt-fields.js';

const status = (over: Partial<MqttStatus>): MqttStatus => ({
  state: 'connected',
  broker: 'mqtt://127.0.0.1:1883',
  published: 12,
  inFlight: 0,
  backlog: 3,
  backlogLimit: 10_000,
  dropped: 1,
  lastError: null,
  retryAt: null,
  ...over,
});

describe('MQTT settings form', () => {
  it('shows the URL as an address and a user name, dropping the masked password', () => {
    expect(splitBrokerUser('mqtt://alice:***@broker.local:1884')).toEqual({ address: 'mqtt://broker.local:1884', username: 'alice' });
    expect(splitBrokerUser('mqtts://broker.local')).toEqual({ address: 'mqtts://broker.local', username: '' });
    expect(splitBrokerUser('')).toEqual({ address: '', username: '' });
  });

  it('puts the user name back into the URL, never a password; a non-URL goes as typed for the API to judge', () => {
    expect(joinBrokerUser('mqtt://broker.local:1884', 'alice')).toBe('mqtt://alice@broker.local:1884');
    expect(joinBrokerUser('mqtt://broker.local:1884', 'a b@c')).toBe('mqtt://a%20b%40c@broker.local:1884');
    expect(joinBrokerUser(' mqtt://broker.local ', '')).toBe('mqtt://broker.local');
    expect(joinBrokerUser('localhost', 'alice')).toBe('localhost');
    expect(splitBrokerUser(joinBrokerUser('mqtt://h:1', 'a b@c')).username).toBe('a b@c');
  });

  it('says the publisher state in plain words: connected, reconnecting in N s, backlog and dropped', () => {
    expect(mqttStatusWords(status({}), 0)).toBe('Connected to mqtt://127.0.0.1:1883 · 12 published · backlog 3 of 10000 · 1 dropped');
    expect(mqttStatusWords(status({ state: 'waiting', retryAt: 10_400, lastError: 'connection refused' }), 5_000)).toBe(
      'Reconnecting in 6 s (connection refused) · backlog 3 of 10000 · 1 dropped',
    );
    expect(mqttStatusWords(status({ state: 'off' }), 0)).toBe('Off: nothing is published');
    expect(mqttStatusWords(null, 0)).toBe('MQTT status unavailable');
  });
});
