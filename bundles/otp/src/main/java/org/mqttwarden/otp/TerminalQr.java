package org.mqttwarden.otp;

import java.util.Map;

import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;

/**
 * A QR code drawn with Unicode half blocks, two module rows per text line, as {@code qrencode -t UTF8} draws it:
 * light modules (and a quiet zone) are blocks, dark ones are blanks, so it scans on a terminal with a dark
 * background, the usual one of an SSH session. ZXing encodes (error correction M).
 */
public final class TerminalQr {

    /** Modules of quiet zone around the code: phone cameras find the code with two. */
    static final int QUIET = 2;

    private TerminalQr() {
    }

    /** @return {@code text} as a QR code in lines of half blocks, each ending with a newline */
    public static String draw(String text) {
        BitMatrix m;
        try {
            m = new QRCodeWriter().encode(text, com.google.zxing.BarcodeFormat.QR_CODE, 0, 0,
                    Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, QUIET));
        } catch (WriterException e) {
            throw new IllegalArgumentException("Too long for a QR code: " + text.length() + " characters", e);
        }
        StringBuilder out = new StringBuilder();
        for (int y = 0; y < m.getHeight(); y += 2) {
            for (int x = 0; x < m.getWidth(); x++) {
                boolean top = !m.get(x, y);
                boolean bottom = y + 1 < m.getHeight() && !m.get(x, y + 1);
                out.append(top ? bottom ? '\u2588' : '\u2580' : bottom ? '\u2584' : ' ');
            }
            out.append('\n');
        }
        return out.toString();
    }
}
