"""Encrypted model fields for text, JSON and bytes.

Each value is encrypted under the data key of the row it belongs to (a case, say) and bound to
its place (``app_label.model_name:pk:field_name``), see ``crypto.envelope``. Values decrypt
lazily: loading a row keeps the ciphertext (a ``Sealed``), and only reading the attribute
decrypts it, so a list page that does not show a field never pays for it.

A model with encrypted fields either owns a data key (a key owner such as ``cases.Case``, see
``crypto.registry``, through ``crypto_data_key()``) or names the way to its key owner in
``encryption_key_path`` (a foreign key, or a ``__`` path such as ``"thread__case"``). Its
primary key is a UUID with a default, assigned in Python, so a value can be bound to its row
before the row is inserted.

Writes go only through ``Model.save()`` (or ``bulk_create``): ``QuerySet.update()`` and
``bulk_update()`` on these columns are refused, because only the instance knows the binding.
Lookups other than ``isnull`` are refused too; exact matches go through a blind index.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

from cryptography.exceptions import InvalidTag
from django import forms
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import IsNull, Lookup, Transform
from django.utils.functional import cached_property

from crypto.destroyed import DESTROYED, Destroyed
from crypto.envelope import (
    CIPHERTEXT_START,
    LARGE_VALUE_BYTES,
    VALUE_HEADER_BYTES,
    DataKey,
)
from crypto.exceptions import (
    CryptoError,
    DecryptionError,
    KeyDestroyedError,
    UnboundWriteError,
)

logger = logging.getLogger("crypto")

_BYTES_LIKE = (bytes, bytearray, memoryview)


class DataKeyHolder(Protocol):
    def crypto_data_key(self) -> DataKey | Destroyed: ...


class Sealed:
    """A ciphertext as loaded from the database, not decrypted yet. Shows only its length."""

    __slots__ = ("blob",)

    def __init__(self, blob: bytes) -> None:
        self.blob = blob

    def __repr__(self) -> str:
        return f"<sealed value: {len(self.blob)} bytes>"


class Ciphertext:
    """What ``pre_save`` produced by encryption: the only thing these columns accept.

    A wrapper rather than a bytes subclass, so a large ciphertext is never copied on its way to
    the database driver.
    """

    __slots__ = ("data",)

    def __init__(self, data: bytes | bytearray) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"<ciphertext: {len(self.data)} bytes>"


def key_owner_of(instance: models.Model, path: tuple[str, ...]) -> DataKeyHolder:
    owner: object = instance
    for part in path:
        owner = getattr(owner, part)
        if owner is None:
            raise CryptoError(
                f"{instance._meta.label} pk={instance.pk} has no {'__'.join(path)}, which "
                "holds its data key."
            )
    # encryption_key_path names the way to a key owner (crypto.E003 asks for one); the checker
    # cannot follow a path that is given as a string.
    return cast(DataKeyHolder, owner)


class EncryptedAttribute:
    """Keeps what was loaded sealed until the attribute is read, then caches the plaintext on
    the instance (the instance is the unit of caching; nothing is kept globally).

    This is the hot path of every encrypted read, so it is written flat: see
    ``bench/bench_crypto.py`` before making it prettier.
    """

    def __init__(self, field: EncryptedField) -> None:
        self.field = field
        self.attname = field.attname

    def __get__(self, instance: models.Model | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        data = instance.__dict__
        try:
            value = data[self.attname]
        except KeyError:
            value = data[self.attname] = self.field.load_deferred(instance)
        if value.__class__ is not Sealed:
            return value
        field = self.field
        key: DataKey | Destroyed
        try:
            if field._key_path:  # field.data_key(), inlined
                key_owner: DataKeyHolder | None = instance._state.fields_cache.get(
                    field.key_owner_cache_name
                )
                if key_owner is None:
                    key_owner = key_owner_of(instance, field._key_path)
                key = key_owner.crypto_data_key()
            else:
                # A key owner itself (crypto.E003); no cast() call on this path.
                key = instance.crypto_data_key()  # type: ignore[attr-defined]
            # type(), not `is DESTROYED`: as cheap here, and the type checker narrows on it.
            if type(key) is Destroyed:
                # Keep the ciphertext in place: a save that leaves this field out keeps it as is.
                return DESTROYED
            header = key.header
            cached = data.get(field._associated_cache)
            if cached is not None and data.get(cached[0]) is cached[1] and cached[2] is header:
                associated = cached[3]
            else:
                associated = field.associated_data(instance, key)
            blob = value.blob
            # DataKey.open(), inlined for the common case: a small value under this very key
            # (the header check is not optional: the header is outside the associated data).
            # Anything else, or a value that does not authenticate, goes through open(), which
            # refuses it with the reason.
            if blob[:VALUE_HEADER_BYTES] == header and len(blob) < LARGE_VALUE_BYTES:
                try:
                    plaintext = key._aead.decrypt(
                        blob[VALUE_HEADER_BYTES:CIPHERTEXT_START], blob[CIPHERTEXT_START:],
                        associated,
                    )
                except (InvalidTag, ValueError):  # ValueError: too short to hold a nonce
                    plaintext = key.open(blob, associated)
            else:
                plaintext = key.open(blob, associated)
            decoder = field.decoder
            if decoder is not None:
                plaintext = decoder(plaintext)
        except DecryptionError as exc:
            # Identifiers and the reason only: never the stored bytes, never any plaintext.
            logger.error(
                "Decryption failed: %s.%s pk=%s: %s", instance._meta.label, field.name,
                instance.pk, exc,
            )
            # Same class (UnknownKeyError stays one), with the place added to the message.
            place = f"{instance._meta.label}.{field.name} pk={instance.pk}"
            raise type(exc)(f"{place}: {exc}") from None
        data[self.attname] = plaintext
        return plaintext

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.attname] = value


def seal_state(instance: models.Model, state: dict[str, Any]) -> dict[str, Any]:
    """Replace every plaintext of an encrypted field in ``state`` (the instance's pickled
    ``__dict__``) with ciphertext, so a pickled instance — in a cache, a task message, a
    session — never carries content in the clear.

    A value read since loading (the plaintext is cached on the instance) or assigned since is
    encrypted afresh under the instance's data key and bound to its place, as ``save()`` would
    do; it travels as a ``Sealed`` and decrypts again when read after unpickling, unsaved
    changes included. Values not read yet are ``Sealed`` already; ``None`` and ``DESTROYED``
    hold nothing. An instance whose plaintext cannot be encrypted — one not saved yet (a
    ``Sealed`` value cannot be inserted), or whose key is destroyed — refuses to be pickled.
    """
    for field in instance._meta.concrete_fields:
        if not isinstance(field, EncryptedField):
            continue
        value = state.get(field.attname)
        if value is None or value.__class__ is Sealed or value is DESTROYED:
            continue
        place = f"{instance._meta.label}.{field.name} pk={instance.pk}"
        if instance._state.adding:
            raise CryptoError(
                f"{place}: an unsaved instance with encrypted values is never pickled (its "
                "values would have to travel in the clear); save it first."
            )
        key = field.data_key(instance)
        if isinstance(key, Destroyed):
            raise KeyDestroyedError(
                f"{place}: the data key is destroyed, so this value cannot be pickled."
            )
        sealed = key.seal(field.encode(value), field.associated_data(instance, key))
        state[field.attname] = Sealed(bytes(sealed))
    return state


_SEALING_GETSTATE = "_crypto_seals_pickled_state"


def _seal_pickled_state_of(cls: type[models.Model]) -> None:
    """Make ``cls.__getstate__`` (what pickling, ``copy`` and ``deepcopy`` of a model instance
    use) pass its result through ``seal_state``, once per class, around whatever the class
    already does (``Case`` drops its unwrapped key there)."""
    if cls.__dict__.get(_SEALING_GETSTATE):
        return
    inherited = cls.__getstate__

    def __getstate__(self: models.Model) -> dict[str, Any]:
        return seal_state(self, inherited(self))

    cls.__getstate__ = __getstate__  # type: ignore[method-assign]
    setattr(cls, _SEALING_GETSTATE, True)


if TYPE_CHECKING:
    # Django's fields are generic only in django-stubs (set type, get type), not at runtime.
    _Field = models.Field[Any, Any]
else:
    _Field = models.Field


class EncryptedField(_Field):
    """Base class: subclasses say how a value becomes bytes (``encode``) and back (``decode``)."""

    descriptor_class = EncryptedAttribute
    description = "Encrypted value bound to its row and field"

    def get_internal_type(self) -> str:
        return "BinaryField"

    # --- codec, per subclass ---------------------------------------------------------------
    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, raw: bytes) -> Any:
        raise NotImplementedError

    # --- binding --------------------------------------------------------------------------
    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        self._binding_head = f"{cls._meta.label_lower}:".encode()
        self._binding_tail = f":{self.name}".encode()
        self._binding_cache = f"_crypto_binding_{self.attname}"
        self._associated_cache = f"_crypto_associated_{self.attname}"
        # What reading calls on the decrypted bytes: nothing for bytes, bytes.decode (UTF-8)
        # for text, and decode() itself for anything else (a subclass with its own codec).
        decode = type(self).decode
        self.decoder: Callable[[bytes], Any] | None = (
            None if decode is EncryptedBytesField.decode
            else bytes.decode if decode is EncryptedTextField.decode
            else self.decode
        )
        path = getattr(cls, "encryption_key_path", None)
        self._key_path = tuple(path.split("__")) if isinstance(path, str) and path else ()
        self.__dict__.pop("key_owner_cache_name", None)  # a copy's, from another model
        _seal_pickled_state_of(cls)

    @cached_property
    def key_owner_cache_name(self) -> str | None:
        """Where a one-step key path (a foreign key to the case) keeps the related case in the
        instance's field cache; None for longer paths (they are walked attribute by attribute).
        """
        if len(self._key_path) != 1:
            return None
        try:
            relation = self.model._meta.get_field(self._key_path[0])
        except FieldDoesNotExist:
            return None
        if not (relation.many_to_one or relation.one_to_one) or not relation.concrete:
            return None
        return relation.cache_name  # type: ignore[union-attr]

    def data_key(self, instance: models.Model) -> DataKey | Destroyed:
        """The data key of the case this instance belongs to (or is)."""
        if self._key_path:
            # The related case as the foreign key's descriptor would return it, straight from
            # the instance's field cache (the descriptor costs as much again as the rest of
            # this lookup); not loaded yet, or a longer path: attribute by attribute.
            key_owner: DataKeyHolder | None = instance._state.fields_cache.get(
                self.key_owner_cache_name
            )
            if key_owner is None:
                key_owner = key_owner_of(instance, self._key_path)
            return key_owner.crypto_data_key()
        # Without a key path the instance is a key owner itself (crypto.E003 checks it); no
        # cast() call on this path either.
        key: DataKey | Destroyed = instance.crypto_data_key()  # type: ignore[attr-defined]
        return key

    def binding(self, instance: models.Model) -> bytes:
        """``app_label.model_name:pk:field_name``, the associated data of this value."""
        pk = instance.pk
        if pk is None:
            raise CryptoError(
                f"{instance._meta.label} needs a primary key before {self.name} can be encrypted."
            )
        # Kept per instance and checked against the primary key object: formatting a UUID is a
        # noticeable part of the cost of a small value.
        cached: tuple[object, bytes] | None = instance.__dict__.get(self._binding_cache)
        if cached is None or cached[0] is not pk:
            binding = self._binding_head + str(pk).encode() + self._binding_tail
            cached = instance.__dict__[self._binding_cache] = (pk, binding)
        return cached[1]

    def associated_data(self, instance: models.Model, key: DataKey) -> bytes:
        """The associated data of this value under ``key``: the key's header and the binding.

        Kept per instance as ``(pk attname, pk object, key header, associated data)``: it is
        used again only while the instance's primary-key attribute still holds that very
        object and the key has that very header, so a changed primary key, or another data key
        (the row moved to another case), builds it afresh. Nothing secret is kept: the header
        heads every stored value, and the cache holds no reference to the key, so an instance
        still pickles and the key lives no longer than its case instance.
        """
        data = instance.__dict__
        cached: tuple[str, object, bytes, bytes] | None = data.get(self._associated_cache)
        if cached is not None and data.get(cached[0]) is cached[1] and cached[2] is key.header:
            return cached[3]
        pk = instance.pk
        associated = key.associated_data(self.binding(instance))
        attname = instance._meta.pk.attname
        if data.get(attname) is pk:  # what instance.pk read
            data[self._associated_cache] = (attname, pk, key.header, associated)
        return associated

    # --- reading --------------------------------------------------------------------------
    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is None:
            return None
        return Sealed(bytes(value))

    def load_deferred(self, instance: models.Model) -> Any:
        """Fetch a deferred column as ciphertext (one query), decrypted under this instance."""
        if instance.pk is None:
            return None
        return (
            type(instance)._base_manager.db_manager(instance._state.db)
            .filter(pk=instance.pk)
            .values_list(self.attname, flat=True)
            .get()
        )

    # --- writing --------------------------------------------------------------------------
    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        if value is None:
            return None
        if isinstance(value, Sealed):
            if add:
                raise UnboundWriteError(
                    f"{model_instance._meta.label}.{self.name}: a value loaded from another row "
                    "cannot be saved into a new one; assign the plaintext instead."
                )
            # Unread since loading: the stored ciphertext is still bound to this row and field.
            return Ciphertext(value.blob)
        if value is DESTROYED:
            raise KeyDestroyedError(
                f"{model_instance._meta.label}.{self.name} pk={model_instance.pk}: the data key "
                "is destroyed; save with update_fields that leave this field out."
            )
        key = self.data_key(model_instance)
        if type(key) is Destroyed:  # as in reading: as cheap as `is DESTROYED`, and it narrows
            raise KeyDestroyedError(
                f"{model_instance._meta.label} pk={model_instance.pk}: the data key is destroyed; "
                f"{self.name} can no longer be written."
            )
        return Ciphertext(key.seal(self.encode(value), self.associated_data(model_instance, key)))

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if value is None:
            return None
        if isinstance(value, Ciphertext):
            # Every concrete backend has its DB-API module here; the stubs' base class has not.
            return connection.Database.Binary(value.data)  # type: ignore[attr-defined]
        raise UnboundWriteError(
            f"{self.model._meta.label}.{self.name} is written only through Model.save(), which "
            "binds the value to its row; QuerySet.update() and bulk_update() cannot."
        )

    # --- queries --------------------------------------------------------------------------
    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        # Comparing ciphertexts is meaningless (random nonces); exact matches use a blind index.
        return IsNull if lookup_name == "isnull" else None

    def get_transform(self, lookup_name: str) -> type[Transform] | None:
        return None

    # --- model checks ---------------------------------------------------------------------
    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [*super().check(**kwargs), *self._check_model()]

    def _check_model(self) -> list[checks.CheckMessage]:
        errors: list[checks.CheckMessage] = []
        # Field.__init__ sets db_index; django-stubs does not declare it.
        if self.primary_key or self.unique or self.db_index:  # type: ignore[attr-defined]
            errors.append(checks.Error(
                "Encrypted fields cannot be primary keys, unique or indexed.",
                hint="Use a blind index (crypto.blind_index) for exact-match lookups.",
                obj=self, id="crypto.E001",
            ))
        model = self.model
        pk = model._meta.pk
        if not isinstance(pk, models.UUIDField) or not pk.has_default():
            errors.append(checks.Error(
                "A model with encrypted fields needs a UUID primary key with a default.",
                hint="id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)"
                " — values are bound to the primary key before the row is inserted.",
                obj=self, id="crypto.E002",
            ))
        if not callable(getattr(model, "crypto_data_key", None)) and not isinstance(
            getattr(model, "encryption_key_path", None), str
        ):
            errors.append(checks.Error(
                f"{model._meta.label} does not say where its data key lives.",
                hint='Set encryption_key_path = "case" (the foreign key to cases.Case, or a '
                '"__" path to it).',
                obj=self, id="crypto.E003",
            ))
        return errors


class EncryptedTextField(EncryptedField):
    """Text; ``""`` and ``None`` are stored distinctly."""

    def encode(self, value: Any) -> bytes:
        if not isinstance(value, str):
            raise TypeError(f"{self.name} holds text, not {type(value).__name__}.")
        return value.encode("utf-8")

    def decode(self, raw: bytes) -> str:
        return raw.decode("utf-8")

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return super().formfield(
            form_class=form_class or forms.CharField,
            choices_form_class=choices_form_class,
            **{"widget": forms.Textarea, **kwargs},
        )


class EncryptedJSONField(EncryptedField):
    """A JSON document (dicts, lists, strings, numbers, booleans). Python ``None`` is SQL NULL,
    so a top-level JSON ``null`` cannot be told apart from "no value"."""

    empty_strings_allowed = False

    def encode(self, value: Any) -> bytes:
        return json.dumps(
            value, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        ).encode("utf-8")

    def decode(self, raw: bytes) -> Any:
        return json.loads(raw)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return super().formfield(
            form_class=form_class or forms.JSONField,
            choices_form_class=choices_form_class,
            **kwargs,
        )


class EncryptedBytesField(EncryptedField):
    """Raw bytes (attachments and their derivatives); ``b""`` and ``None`` stay distinct."""

    empty_strings_allowed = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        else:
            kwargs["editable"] = True
        return name, path, args, kwargs

    def encode(self, value: Any) -> bytes:
        if type(value) is bytes:  # no copy; type() and not __class__ so the checker narrows
            return value
        if not isinstance(value, _BYTES_LIKE):
            raise TypeError(f"{self.name} holds bytes, not {type(value).__name__}.")
        return bytes(value)

    def decode(self, raw: bytes) -> bytes:
        return raw
