package org.mqttwarden.otp;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.LuminanceSource;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.Result;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;

import org.junit.jupiter.api.Test;

/** The terminal drawing, read back as a phone would read the screen: a QR decoder gets the URI. */
class TerminalQrTest {

    /** @return the drawing as an image: light where a half block is, dark where a blank is, 4 px per module */
    private static LuminanceSource screen(String drawing) {
        String[] lines = drawing.split("\n");
        int width = lines[0].length();
        int height = lines.length * 2;
        int scale = 4;
        int[] pixels = new int[width * scale * height * scale];
        for (int row = 0; row < lines.length; row++) {
            for (int x = 0; x < width; x++) {
                char c = lines[row].charAt(x);
                boolean top = c == '\u2588' || c == '\u2580';
                boolean bottom = c == '\u2588' || c == '\u2584';
                paint(pixels, width * scale, x, row * 2, scale, top);
                paint(pixels, width * scale, x, row * 2 + 1, scale, bottom);
            }
        }
        return new RGBLuminanceSource(width * scale, height * scale, pixels);
    }

    private static void paint(int[] pixels, int stride, int mx, int my, int scale, boolean light) {
        for (int dy = 0; dy < scale; dy++) {
            for (int dx = 0; dx < scale; dx++) {
                pixels[(my * scale + dy) * stride + mx * scale + dx] = light ? 0xFFFFFF : 0x000000;
            }
        }
    }

    @Test
    void anEnrolmentUriDrawnInTheTerminalDecodesBackToItself() throws Exception {
        String uri = Totp.uri(TotpEnrollments.ISSUER, "olga.operator", Totp.newSecret(new SecureRandom()));
        String drawing = TerminalQr.draw(uri);
        assertThat(drawing.lines()).allSatisfy(l -> assertThat(l).matches("[\u2588\u2580\u2584 ]+"));
        Result read = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(screen(drawing))));
        assertThat(read.getText()).isEqualTo(uri);
    }
}
