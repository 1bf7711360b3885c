/** Integrity (input hashes, audit head, content hash), the statement on the examiner's role, and the sign-off. */
import { CONTENT_HASH_SCHEME } from '../content-hash.ts';
import type { RenderContext } from '../render-context.ts';
import { COLOR, CONTENT_WIDTH, PAGE, type ReportWriter } from '../pdf-writer.ts';
import { drawTable } from '../table.ts';

export function drawIntegrity(w: ReportWriter, ctx: RenderContext): void {
  const { integrity } = ctx.input;
  w.newPage();
  w.heading('Integrity');
  w.text(
    'Every input file was hashed with SHA-256 when it was imported; the originals are kept unaltered and every step of the ' +
      'case is recorded in a hash-chained audit log. Anyone holding a file can recompute its hash and compare it with this list. ' +
      'The anchor is the newest audit row the figures below depend on; every earlier row is chained into its hash, and ' +
      '`countersign audit verify` confirms the chain still holds it.',
    { size: 8.5, lineGap: 2, after: 6 },
  );
  w.keyValues(
    [
      [
        integrity.auditHeadSeq ? `Audit chain anchor (row ${integrity.auditHeadSeq})` : 'Audit chain anchor',
        integrity.auditHeadHash ?? 'not available',
        { font: 'mono', size: 7.5 },
      ],
      ['Report content hash', ctx.contentHash, { font: 'mono', size: 7.5 }],
      [
        'Installation key (Ed25519)',
        integrity.installationKey ? `${integrity.installationKey.publicKey}\nfingerprint ${integrity.installationKey.fingerprint}` : 'not recorded',
        { font: 'mono', size: 7.5 },
      ],
      ...(integrity.headSignature
        ? ([
            [
              `Signed chain head (row ${integrity.headSignature.seq})`,
              `${integrity.headSignature.hash}\n${integrity.headSignature.signature}`,
              { font: 'mono', size: 6.6 },
            ],
          ] as [string, string, { font: 'mono'; size: number }][])
        : []),
    ],
    120,
  );
  w.text(
    'The installation key belongs to the data directory that holds this case; it signs the audit chain\u2019s head at every ' +
      'write, so a row added by anyone without the key is detected. The signature above, made with that key over ' +
      '["countersign-audit-signature-v1", row, hash], covers the anchor and every row before it. Compare the fingerprint ' +
      'with the one `countersign doctor` shows on the examining installation.',
    { size: 7.5, color: COLOR.muted, lineGap: 1.5, after: 8 },
  );
  w.text(
    `The content hash (scheme ${CONTENT_HASH_SCHEME}) is the SHA-256 of the canonical JSON of everything this report shows ` +
      '(case, propositions, items with the SHA-256 of each image, model, inputs, audit anchor), without the generation ' +
      'timestamp. The same case data always gives the same content hash and, apart from that timestamp, the same PDF.',
    { size: 7.5, color: COLOR.muted, lineGap: 1.5, after: 8 },
  );

  w.heading(`Input files (${integrity.inputs.length})`, 2);
  if (integrity.inputs.length) {
    drawTable(
      w,
      [
        { header: 'Role', width: 62 },
        { header: 'Path', width: CONTENT_WIDTH - 62 - 268 },
        { header: 'SHA-256', width: 268, font: 'mono', size: 6.6 },
      ],
      integrity.inputs.map((f) => [f.role, f.path, f.sha256]),
      { size: 7.5, continuationTitle: 'Input files (continued)' },
    );
  } else {
    w.text('No input files recorded.', { size: 8.5, color: COLOR.muted });
  }
  drawSignOff(w, ctx);
}

function drawSignOff(w: ReportWriter, ctx: RenderContext): void {
  const statement =
    'The measurements, likelihood ratios and decisions in this report were produced by software from the images and ' +
    'model identified above. They support, and do not replace, the conclusion of the examiner, which rests on the ' +
    'examiner\u2019s own examination of the questioned and known material and on the circumstances of the case.';
  const needed = 360;
  if (w.ensure(needed)) w.heading('Examiner\u2019s conclusion and sign-off');
  else {
    w.y += 10;
    w.heading('Examiner\u2019s conclusion and sign-off', 2);
  }
  w.text(statement, { size: 9, lineGap: 2, after: 10 });
  w.text('Conclusion of the examiner', { font: 'bold', size: 8.5, after: 4 });
  const boxTop = w.y;
  const boxH = 150;
  w.doc.save().rect(PAGE.left, boxTop, CONTENT_WIDTH, boxH).lineWidth(0.6).strokeColor(COLOR.rule).stroke().restore();
  for (let y = boxTop + 24; y < boxTop + boxH - 8; y += 22) w.rule(y, '#e1e4e7', 0.4, PAGE.left + 10, PAGE.width - PAGE.right - 10);
  w.y = boxTop + boxH + 24;

  const colW = (CONTENT_WIDTH - 30) / 3;
  const line = (x: number, label: string, value: string) => {
    w.rule(w.y + 26, COLOR.text, 0.6, x, x + colW);
    if (value) w.textAt(value, x, w.y + 12, { size: 9.5, width: colW });
    w.textAt(label, x, w.y + 30, { size: 7.5, color: COLOR.muted, width: colW });
  };
  line(PAGE.left, 'Examiner', ctx.input.case.examiner);
  line(PAGE.left + colW + 15, 'Signature', '');
  line(PAGE.left + 2 * (colW + 15), 'Date', '');
  w.y += 48;
}
