"""One-off helper used while writing: fill Indonesian msgstrs by msgid (kept for later batches)."""
import sys

import polib

T = {
 "An email address is at most 254 characters.": "Alamat email paling banyak 254 karakter.",
 "Accounts": "Akun",
 "Full name": "Nama Lengkap",
 "Full name is at most %(limit_value)d characters.": "Nama Lengkap paling banyak %(limit_value)d karakter.",
 "Tick this statement to continue.": "Centang pernyataan ini untuk melanjutkan.",
 "Write the full name as on your KTP, letters only.": "Tulis nama lengkap sesuai KTP, hanya huruf.",
 "email": "email", "full name": "nama lengkap", "language": "bahasa", "operator": "operator",
 "active": "aktif", "date joined": "tanggal daftar", "user": "pengguna", "users": "pengguna",
 "Administrator": "Administrator", "Wave manager": "Pengelola gelombang", "Verifier": "Verifikator",
 "Finance": "Keuangan", "Complaints agent": "Petugas pengaduan", "Partner manager": "Pengelola mitra",
 "Auditor": "Auditor", "Audit log": "Log audit", "when": "kapan", "who": "siapa", "actor": "pelaku",
 "what": "apa", "why": "alasan", "audit entry": "catatan audit", "audit log": "log audit",
 "Notifications": "Notifikasi", "Inbox": "Kotak masuk", "Email": "Email", "SMS": "SMS",
 "Queued": "Dalam antrean", "Sending": "Sedang dikirim", "Sent": "Terkirim", "Failed": "Gagal",
 "Indonesian": "Bahasa Indonesia", "English": "Bahasa Inggris",
 "Sign in": "Masuk", "Forgot your password?": "Lupa kata sandi?", "No account yet?": "Belum punya akun?",
 "Sign up": "Daftar", "Already have an account?": "Sudah punya akun?",
 "Skip to content": "Langsung ke isi", "Main menu": "Menu utama",
 "Dashboard": "Dasbor", "Sign out": "Keluar", "Language": "Bahasa", "Change": "Ubah",
 "Pre-employment card programme": "Program Kartu Prakerja",
 "Mark all as read": "Tandai semua sudah dibaca", "Unread:": "Belum dibaca:",
 "Mark as read": "Tandai sudah dibaca", "Pages": "Halaman", "Newer": "Lebih baru", "Older": "Lebih lama",
 "No notifications yet.": "Belum ada notifikasi.",
 "Your email address is confirmed. Complete your profile to join a wave.":
     "Alamat email kamu sudah terkonfirmasi. Lengkapi profilmu untuk bergabung ke gelombang.",
 "Prakerja: your account is active. Never share any code with anyone.":
     "Prakerja: akunmu sudah aktif. Jangan berikan kode apa pun kepada siapa pun.",
 "Welcome to Prakerja": "Selamat datang di Prakerja",
 "Hello, %(name)s": "Halo, %(name)s",
 "Your registration": "Pendaftaranmu",
 "Your email is confirmed. Complete your profile to join a wave.":
     "Email kamu sudah terkonfirmasi. Lengkapi profilmu untuk bergabung ke gelombang.",
 "Welcome": "Selamat datang", "Kartu Prakerja": "Kartu Prakerja",
 "Create an account with your own email address. We send a link to confirm it.":
     "Buat akun dengan alamat email milikmu sendiri. Kami mengirim tautan untuk mengonfirmasinya.",
 "I declare that the data I fill in is true and I agree to the terms and the privacy policy.":
     "Saya menyatakan bahwa data yang saya isi adalah benar dan saya menyetujui syarat dan ketentuan serta kebijakan privasi.",
 "Training support and incentives for job seekers, workers and small business owners aged 18 and over.":
     "Bantuan biaya pelatihan dan insentif bagi pencari kerja, pekerja, dan pelaku usaha mikro dan kecil berusia 18 tahun ke atas.",
 "Hello %(name)s,\n\nyour email address is confirmed. Sign in to complete your profile: identity (NIK), personal data, phone number, statement and motivation test.\n\nNever share your password or any code we send you with anyone, including people who say they are Prakerja staff.":
     "Halo %(name)s,\n\nalamat email kamu sudah terkonfirmasi. Masuk untuk melengkapi profilmu: identitas (NIK), data diri, nomor HP, pernyataan, dan tes motivasi.\n\nJangan pernah memberikan kata sandi atau kode apa pun yang kami kirim kepada siapa pun, termasuk orang yang mengaku petugas Prakerja.",
}
PLURAL = {"Notifications, %(n)s unread": "Notifikasi, %(n)s belum dibaca"}

po = polib.pofile(sys.argv[1])
po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
po.metadata["Language"] = "id"
po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
missing = []
for e in po:
    if e.msgid_plural:
        if e.msgid in PLURAL:
            e.msgstr_plural = {0: PLURAL[e.msgid]}
    elif e.msgid in T:
        e.msgstr = T[e.msgid]
    if not e.translated():
        missing.append(e.msgid)
    if "fuzzy" in e.flags:
        e.flags.remove("fuzzy")
po.save()
print("missing:", missing)
