"""All spec tables, grouped by the spec's sections; importing this registers every model."""

from core_schema.models import (  # noqa: F401  (import for table registration)
    agents,
    billing,
    clinical,
    extensibility,
    imaging,
    integrations,
    knowledge,
    reference,
    tenancy,
    voice,
)
from core_schema.models.agents import *  # noqa: F403
from core_schema.models.base import Base as Base
from core_schema.models.base import Embedding as Embedding
from core_schema.models.billing import *  # noqa: F403
from core_schema.models.clinical import *  # noqa: F403
from core_schema.models.extensibility import *  # noqa: F403
from core_schema.models.imaging import *  # noqa: F403
from core_schema.models.integrations import *  # noqa: F403
from core_schema.models.knowledge import *  # noqa: F403
from core_schema.models.reference import *  # noqa: F403
from core_schema.models.tenancy import *  # noqa: F403
from core_schema.models.voice import *  # noqa: F403

metadata = Base.metadata
