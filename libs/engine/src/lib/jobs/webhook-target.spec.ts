import { checkWebhookTarget, isPublicAddress } from './webhook-target';

describe('webhook targets', () => {
  const refused = [
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://192.168.1.1/',
    'http://[::ffff:169.254.169.254]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://127.1/',
    'http://0/',
    'http://localhost:22/',
    'http://[::1]:8080/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://100.64.0.1/',
    'http://224.0.0.1/',
  ];

  it.each(refused)('refuses %s, which is not a public address', async (url) => {
    await expect(checkWebhookTarget(url, false)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      problems: [{ path: 'webhookUrl', message: expect.stringMatching(/public address|does not resolve/) }],
    });
  });

  it('accepts a public address, and private ones only when allowed', async () => {
    await expect(checkWebhookTarget('https://93.184.215.14/hooks/job', false)).resolves.toBe('https://93.184.215.14/hooks/job');
    await expect(checkWebhookTarget('http://[2606:4700::6810:84e5]/', false)).resolves.toBe('http://[2606:4700::6810:84e5]/');
    await expect(checkWebhookTarget('http://127.0.0.1:9/hook', true)).resolves.toBe('http://127.0.0.1:9/hook');
  });

  it('refuses what is not an http(s) URL, or carries credentials', async () => {
    for (const url of ['ftp://93.184.215.14/', 'file:///etc/passwd', 'not a url', 'http://user:secret@93.184.215.14/']) {
      await expect(checkWebhookTarget(url, true)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('judges IPv4 written inside IPv6 as IPv4', () => {
    expect(isPublicAddress('::ffff:8.8.8.8')).toBe(true);
    expect(isPublicAddress('::ffff:10.1.2.3')).toBe(false);
    expect(isPublicAddress('::ffff:7f00:1')).toBe(false);
    expect(isPublicAddress('8.8.4.4')).toBe(true);
    expect(isPublicAddress('not-an-ip')).toBe(false);
  });
});
