"""Demo data for the complaints desk: saved answers an agent can start from, and one ticket of Rina's
that the desk has answered with a question, so a demo shows both sides of a conversation."""

from django.db import transaction

from prakerja.accounts.models import User
from prakerja.complaints.models import SavedAnswer, Ticket
from prakerja.complaints.services import ticket_open, ticket_reply_agent

SAVED_ANSWERS = [
    ("Minta bukti tangkapan layar", "", "Halo, terima kasih atas laporanmu. Agar kami bisa memeriksanya, mohon "
     "kirimkan tangkapan layar yang menunjukkan masalahnya melalui balasan tiket ini."),
    ("Sertifikat sedang diperiksa", "certificate", "Halo, laporan penyelesaian pelatihanmu sedang kami periksa "
     "bersama lembaga pelatihan. Kami akan mengabarkan hasilnya melalui tiket ini."),
    ("Video: coba ulang", "videos", "Halo, silakan muat ulang halaman video dan pastikan koneksi internetmu stabil. "
     "Progres menonton tersimpan otomatis setiap beberapa detik."),
    ("Masalah selesai", "", "Halo, masalahmu sudah kami selesaikan. Jika masih ada kendala, balas tiket ini dan "
     "tiketnya akan dibuka kembali."),
]


def load_complaints(*, operator, participant_email: str) -> None:
    with transaction.atomic():
        for title, category, body in SAVED_ANSWERS:
            SavedAnswer.objects.get_or_create(title=title, defaults={"category": category, "body": body})
    user = User.objects.filter(email=participant_email).first()
    if user is None or Ticket.objects.filter(user=user).exists():
        return
    ticket = ticket_open(user=user, name=user.full_name, phone="+6281200000098", email=user.email,
                         category="videos", subcategory="progress_not_saved", consent=True,
                         description="Video kedua sudah saya tonton sampai habis, tetapi progresnya masih 80%.")
    ticket_reply_agent(ticket_id=ticket.pk, agent=operator, wait_for_participant=True,
                       body=SAVED_ANSWERS[0][2])
