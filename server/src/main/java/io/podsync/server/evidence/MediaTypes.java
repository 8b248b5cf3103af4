package io.podsync.server.evidence;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** What the first bytes of a file say it is: a declared media type must agree with them. */
final class MediaTypes {
    /** Bytes needed to recognize every supported type. */
    static final int HEAD_BYTES = 16;

    private MediaTypes() {}

    /** The media type the bytes show, or null when they show none we know. */
    static String sniff(byte[] head) {
        if (starts(head, 0xFF, 0xD8, 0xFF)) {
            return "image/jpeg";
        }
        if (starts(head, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return "image/png";
        }
        if (starts(head, '%', 'P', 'D', 'F', '-')) {
            return "application/pdf";
        }
        if (head.length >= 12
                && starts(head, 'R', 'I', 'F', 'F')
                && ascii(head, 8, 4).equals("WEBP")) {
            return "image/webp";
        }
        if (head.length >= 12 && ascii(head, 4, 4).equals("ftyp")) {
            String brand = ascii(head, 8, 4);
            if (brand.startsWith("hei") || brand.startsWith("hev") || brand.equals("mif1") || brand.equals("msf1")) {
                return "image/heic";
            }
        }
        return null;
    }

    /** True when the declared type is what the bytes show (HEIF and HEIC are one family). */
    static boolean agree(String declared, String sniffed) {
        if (sniffed == null) {
            return false;
        }
        String d = declared.toLowerCase(java.util.Locale.ROOT);
        return d.equals(sniffed) || (sniffed.equals("image/heic") && d.equals("image/heif"));
    }

    private static boolean starts(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String ascii(byte[] b, int from, int len) {
        return new String(Arrays.copyOfRange(b, from, Math.min(b.length, from + len)), StandardCharsets.US_ASCII);
    }
}
