from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

# The system administrator creates and deactivates staff accounts here, as with Django's own
# user model before the project had its own.
admin.site.register(User, UserAdmin)

# The stock device admin shows TOTP secrets. Second factors are issued only with
# ``manage.py staff_totp``, which prints the secret once to the operator.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
