"""The first FAQ (issue 21): the programme's rules as people ask about them (SPEC REG, WAV, SEL, CRD, TRN).

The answers name no amount, age or deadline: those change with the programme period, and the home
page shows the active period's figures beside the FAQ. Operators edit the entries in the admin.
"""

from django.db import migrations

ENTRIES = [
    ("Apa itu Kartu Prakerja?",
     "Kartu Prakerja adalah program pemerintah berupa bantuan biaya pelatihan dan insentif untuk pencari "
     "kerja, pekerja, dan pelaku usaha kecil yang ingin meningkatkan keterampilan. Saldo pelatihan hanya "
     "bisa dipakai untuk membeli pelatihan di mitra platform digital, tidak bisa dicairkan sebagai uang tunai.",
     "What is Kartu Prakerja?",
     "Kartu Prakerja is a government programme that pays for training and gives incentives to job seekers, "
     "workers and small business owners who want to improve their skills. The training balance can only be "
     "spent on trainings at the partner digital platforms; it cannot be taken out as cash."),
    ("Siapa yang bisa mendaftar?",
     "Warga negara Indonesia dengan usia sesuai ketentuan skema yang berlaku (lihat di atas) dan tidak sedang "
     "menempuh pendidikan formal. Yang tidak bisa menjadi peserta: Pejabat Negara; pimpinan dan anggota DPR "
     "dan DPRD; Aparatur Sipil Negara; prajurit TNI; anggota Polri; kepala desa dan perangkat desa; direksi, "
     "komisaris dan dewan pengawas BUMN/BUMD. Jumlah peserta dalam satu Kartu Keluarga (KK) juga dibatasi.",
     "Who can sign up?",
     "Indonesian citizens whose age is within the current programme period's rules (see above) and who are "
     "not in formal education. These cannot take part: state officials; leaders and members of the DPR and "
     "DPRD; civil servants (ASN); TNI soldiers; Polri officers; village heads and village officials; directors, "
     "commissioners and supervisory board members of BUMN/BUMD. The number of participants per family card "
     "(KK) is also limited."),
    ("Apakah yang mendaftar lebih dulu pasti lolos?",
     "Tidak. Bergabung dengan gelombang bukan siapa cepat dia dapat: seleksi dilakukan setelah gelombang "
     "ditutup. Jika pendaftar yang memenuhi syarat lebih banyak dari kuota, peserta dipilih dengan undian acak "
     "yang bisa diperiksa ulang oleh siapa pun. Hasilnya diumumkan di dasbor pada waktu pengumuman.",
     "Do the first to sign up always pass?",
     "No. Joining a wave is not first come, first served: selection happens after the wave closes. If more "
     "eligible people join than the quota allows, participants are chosen by a random draw that anyone can "
     "check. Results appear on the dashboard at the announcement time."),
    ("Saya \u201cGagal\u201d di satu gelombang. Bisakah saya ikut lagi?",
     "Bisa. Kamu bisa bergabung dengan gelombang berikutnya dengan satu klik, tanpa mengisi data lagi. "
     "Peserta yang sudah lulus, atau yang kepesertaannya dicabut, tidak bisa bergabung lagi.",
     "I \u201cfailed\u201d in one wave. Can I try again?",
     "Yes. You can join the next wave with one click, without entering your data again. A participant who "
     "passed, or whose participation was revoked, cannot join again."),
    ("Kapan saldo pelatihan harus dipakai?",
     "Beli pelatihan pertamamu sebelum batas waktu setelah pengumuman (lihat di atas). Jika tidak, "
     "kepesertaan dicabut: kartu dinonaktifkan, saldo kembali ke program, dan kamu tidak bisa mendaftar lagi. "
     "Kami mengirim pengingat sebelum batas waktu.",
     "When must I use the training balance?",
     "Buy your first training before the deadline after the announcement (see above). Otherwise your "
     "participation is revoked: the card is deactivated, the balance goes back to the programme, and you cannot "
     "sign up again. We send reminders before the deadline."),
    ("Sertifikat saya belum muncul. Apa yang harus saya lakukan?",
     "Sertifikat biasanya muncul di dasbor dalam satu hari kerja setelah lembaga pelatihan melaporkan "
     "pelatihanmu selesai, tetapi bisa memakan waktu hingga 7 hari kerja. Setelah itu kamu bisa mengirim "
     "pengaduan lewat Formulir Pengaduan. Insentif baru dijadwalkan setelah sertifikat muncul dan kamu memberi "
     "ulasan.",
     "My certificate has not appeared. What should I do?",
     "A certificate usually appears on the dashboard within one business day after the training provider "
     "reports that you finished, but it can take up to 7 business days. After that you can send a complaint "
     "through the complaint form. The incentive is scheduled only once the certificate is there and you have "
     "written a review."),
]


def seed(apps, schema_editor):
    FaqEntry = apps.get_model("web", "FaqEntry")
    FaqRevision = apps.get_model("web", "FaqRevision")
    for position, (question_id, answer_id, question_en, answer_en) in enumerate(ENTRIES, start=1):
        texts = {"position": position * 10, "question_id": question_id, "answer_id": answer_id,
                 "question_en": question_en, "answer_en": answer_en, "published": True}
        entry = FaqEntry.objects.create(version=1, **texts)
        FaqRevision.objects.create(entry=entry, version=1, edited_by="system", **texts)


class Migration(migrations.Migration):
    dependencies = [("web", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
