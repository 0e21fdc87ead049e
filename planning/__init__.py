"""Treatment planning as a conversation of rules agents: specialists assess, a supervisor phases the plan."""
