/** Members' one-to-one conversations (the chat module keeps them; the blocklist hides them both ways). */
export const DIRECT_CHAT = 'creators.direct';
