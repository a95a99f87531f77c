package org.mqttwarden.api.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTest {

    @Test
    void ordinaryValuesPrintUnchangedAndAreTheSameInstance() {
        String s = "plc-7/Halle_3 Grüße ✓ 😀";
        assertThat(Printable.escape(s)).isSameAs(s);
        assertThat(Printable.escape(null)).isNull();
    }

    @Test
    void ansiEscapesAndControlCharactersCannotReachATerminal() {
        String attack = "dev\u001b[2J\u001b[31mroot\u0007\r\nFAKE LOG LINE\u0000\u007f\u009b";
        String out = Printable.escape(attack);
        assertThat(out).doesNotContain("\u001b", "\r", "\n", "\u0007", "\u0000", "\u007f", "\u009b")
                .isEqualTo("dev\\u001B[2J\\u001B[31mroot\\u0007\\u000D\\u000AFAKE LOG LINE\\u0000\\u007F\\u009B");
    }

    @Test
    void bidiControlsThatReorderWhatAReaderSeesAreShown() {
        for (char c : new char[] {0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068,
            0x2069, 0x2028, 0x2029}) {
            String out = Printable.escape("admin" + c + "txt.exe");
            assertThat(out).as("U+%04X", (int) c).isEqualTo("admin\\u%04Xtxt.exe".formatted((int) c));
        }
    }

    @Test
    void theResultIsUnambiguousBackslashesAndLoneSurrogatesIncluded() {
        assertThat(Printable.escape("a\\u001Bb")).as("a literal backslash-u text is not an escape")
                .isEqualTo("a\\\\u001Bb");
        assertThat(Printable.escape("x\u001By")).isNotEqualTo(Printable.escape("x\\u001By"));
        assertThat(Printable.escape("x\ud800y\udc00")).isEqualTo("x\\uD800y\\uDC00");
    }
}
