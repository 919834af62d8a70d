/**
 * Text as Chinese mail clients send it under a `gb2312` label: GB18030 bytes,
 * with 镕 and 喆 (GBK, not GB2312) and 𠮷 (four-byte GB18030 only). Byte
 * strings, so no encoder is needed (Node decodes GB18030 but cannot encode it).
 */
export const gb = {
  body: Buffer.from('b0b4c4facbb5b5c4b2bdd6e8b2d9d7f7baf3a3acd6ece946bbf9bacdd5c586b4b5c4bcc7c2bcb3f6cfd6c1cba3ac9534b235d2b0bcd2b5c4c3bbd3d0a1a3', 'hex'),
  bodyText: '按您说的步骤操作后，朱镕基和张喆的记录出现了，𠮷野家的没有。',
  subject: Buffer.from('b9d8d3da9534b235d2b0bcd2bacd86b4b5c4d0c5d3c3bcc7c2bc', 'hex'),
  subjectText: '关于𠮷野家和喆的信用记录',
  name: Buffer.from('d5c586b4', 'hex'),
  nameText: '张喆',
};
